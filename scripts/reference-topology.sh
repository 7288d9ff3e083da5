# reference-topology.sh: the production-shaped parts of the embedded reference
# target, sourced by scripts/reference-env (it uses its helpers: state_get,
# state_set, as_pg_owner, free_port, alive, say, die, PG_BIN, ROOT, STATE_DIR).
#
# `--topology full` (the default) adds, all on 127.0.0.1, free ports, stopped by PID:
#   - WAL archiving on the primary (archive_mode, archive_command =
#     pgbackrest archive-push into a local pgBackRest repository);
#   - a streaming replica (pg_basebackup -R) on its own port;
#   - pgBackRest: stanza "golive", retention 2 full backups, one full backup at start-up;
#   - Redis (the service's response cache), with a password and allkeys-lru;
#   - two reference service instances (X-Golive-Instance: ref-1, ref-2) behind nginx,
#     which also serves fixtures/static (hashed assets: a year's cache, gzip) through
#     a proxy_cache layer (X-Cache-Status), as a CDN edge would.
# `--topology single` is the shape the tests use: one database, one service process.
#
# Topology defects (the same names the service accepts; fixtures/DEFECTS.md):
#   single-instance   only one service instance behind nginx
#   replica-absent    no replica is started
#   archiving-broken  archive_command fails (pg_stat_archiver counts failures)
#   backup-stale      no backup is taken at start-up: no full backup younger than 24 h
#   static-no-cache   nginx serves the assets without cache headers and without proxy_cache

PGBACKREST_STANZA=golive
REDIS_BIN=${GOLIVE_REDIS_BIN:-redis-server}
NGINX_BIN=${GOLIVE_NGINX_BIN:-/usr/sbin/nginx}
PGBACKREST_BIN=${GOLIVE_PGBACKREST_BIN:-pgbackrest}

topology_full() { [ "$(state_get GOLIVE_REF_TOPOLOGY)" = full ]; }

has_defect() {  # has_defect NAME: NAME is among this `up`'s defects
  local wanted=$1 d
  for d in "${TOPOLOGY_DEFECTS[@]:-}"; do [ "$d" = "$wanted" ] && return 0; done
  return 1
}

# Written before the primary starts: archive settings and pgBackRest's config.
topology_primary_conf() {
  local data=$1 root=$2 port=$3
  topology_full || return 0
  local conf=$root/pgbackrest.conf archive
  mkdir -p "$root/backrest" "$root/backrest-lock" "$root/backrest-spool"
  cat > "$conf" <<EOF
[global]
repo1-path=$root/backrest
repo1-retention-full=2
repo1-retention-full-type=count
compress-type=none
start-fast=y
archive-async=y
process-max=2
lock-path=$root/backrest-lock
spool-path=$root/backrest-spool
log-level-console=warn
log-level-file=off

[$PGBACKREST_STANZA]
pg1-path=$data
pg1-port=$port
pg1-socket-path=$root
pg1-user=postgres
EOF
  [ "$(id -u)" = 0 ] && chown -R postgres: "$root"
  # envs/local.json's "infra" section reads these.
  state_set GOLIVE_REF_INFRA_ENABLED true
  [ "$(id -u)" = 0 ] && state_set GOLIVE_REF_PG_OWNER postgres
  local script; script=$(printf '%q' "$ROOT/scripts/reference-env") 
  state_set GOLIVE_REF_FAILOVER_STOP "GOLIVE_STATE_DIR=$(printf '%q' "$STATE_DIR") $script instance stop 2"
  state_set GOLIVE_REF_FAILOVER_START "GOLIVE_STATE_DIR=$(printf '%q' "$STATE_DIR") $script instance start 2"
  state_set GOLIVE_REF_PGBACKREST_CONFIG "$conf"
  state_set GOLIVE_REF_PGBACKREST_STANZA "$PGBACKREST_STANZA"
  if has_defect archiving-broken; then
    archive="/bin/false"
  else
    archive="$PGBACKREST_BIN --config=$conf --stanza=$PGBACKREST_STANZA archive-push %p"
  fi
  # Only the last occurrence of a setting counts: written again on each retry.
  cat >> "$data/postgresql.conf" <<EOF
# golive reference topology
wal_level = replica
max_wal_senders = 5
wal_keep_size = 64MB
archive_mode = on
archive_command = '$archive'
archive_timeout = 60
hot_standby = on
EOF
}

# After the primary is up and migrated: Redis now (the service instances need
# it), and in the background the stanza, the replica and then the full backup
# (after the replica: two base backups at once slow each other down), while
# the service instances and nginx start; topology_finish waits for them.
topology_after_primary() {
  topology_full || return 0
  start_redis
  local root; root=$(state_get GOLIVE_REF_PG_ROOT)
  # The background job writes its state to a file of its own (state_set is
  # not safe against a concurrent writer); topology_finish merges it.
  cp "$STATE_FILE" "$root/background.state"
  ( STATE_FILE=$root/background.state; topology_background ) &
  BACKGROUND_PID=$!
}

topology_background() {
  local root conf started=$SECONDS
  root=$(state_get GOLIVE_REF_PG_ROOT); conf=$(state_get GOLIVE_REF_PGBACKREST_CONFIG)
  as_pg_owner "$PGBACKREST_BIN" --config="$conf" --stanza=$PGBACKREST_STANZA stanza-create >/dev/null 2>"$root/pgbackrest.err" \
    || die "pgbackrest stanza-create failed: $(tail -n 3 "$root/pgbackrest.err")"
  if has_defect archiving-broken; then
    # The next segment switch fails to archive, so pg_stat_archiver shows it.
    psql_admin -d postgres -c "SELECT pg_switch_wal()" >/dev/null || true
  fi
  # The full backup and the replica's base backup side by side: the backup
  # mostly waits for its WAL to be archived.
  local backup_pid=""
  if has_defect backup-stale; then
    say "backup-stale: no backup taken at start-up"
  else
    local check=()
    has_defect archiving-broken && check=(--no-archive-check)
    as_pg_owner "$PGBACKREST_BIN" --config="$conf" --stanza=$PGBACKREST_STANZA --type=full "${check[@]}" backup \
      >/dev/null 2>"$root/pgbackrest.err" &
    backup_pid=$!
  fi
  has_defect replica-absent && say "replica-absent: no replica started" || start_replica
  [ -n "$backup_pid" ] || return 0
  wait "$backup_pid" || die "pgbackrest backup failed: $(tail -n 3 "$root/pgbackrest.err")"
  say "pgbackrest: full backup taken (replica and backup $((SECONDS - started)) s)"
}

# At the end of `up`: the replica is up and the start-up backup has finished.
topology_finish() {
  [ -n "${BACKGROUND_PID:-}" ] || return 0
  local root key value; root=$(state_get GOLIVE_REF_PG_ROOT)
  wait "$BACKGROUND_PID" || die "the replica or the start-up backup failed (see above)"
  BACKGROUND_PID=""
  for key in GOLIVE_REF_REPLICA_PORT GOLIVE_REF_REPLICA_PID GOLIVE_REF_REPLICA_URL; do
    value=$(STATE_FILE=$root/background.state state_get "$key")
    [ -n "$value" ] && state_set "$key" "$value"
  done
  rm -f "$root/background.state"
}

start_replica() {
  local root pw port rdata
  root=$(state_get GOLIVE_REF_PG_ROOT); pw=$(state_get GOLIVE_REF_PG_PASSWORD)
  rdata=$root/replica
  # A throwaway like the primary: no syncs (without fsync=off the standby fsyncs
  # its whole data directory before recovery, seconds under load).
  PGPASSWORD=$pw as_pg_owner env PGPASSWORD="$pw" "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$(state_get GOLIVE_REF_PG_PORT)" \
    -U postgres -D "$rdata" -R -X stream -c fast --no-sync >/dev/null 2>"$root/basebackup.err" \
    || die "pg_basebackup failed: $(tail -n 3 "$root/basebackup.err")"
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    if as_pg_owner "$PG_BIN/pg_ctl" -D "$rdata" -l "$root/replica.log" -w -t 30 start \
         -o "-p $port -k $root -c max_connections=200 -c fsync=off" >/dev/null; then
      state_set GOLIVE_REF_REPLICA_PORT "$port"
      state_set GOLIVE_REF_REPLICA_PID "$(head -n1 "$rdata/postmaster.pid")"
      state_set GOLIVE_REF_REPLICA_URL "postgresql://postgres:$pw@127.0.0.1:$port/$DB_NAME"
      say "replica up on port $port (streaming from the primary)"
      return 0
    fi
    say "replica port $port taken, retrying"
  done
  die "the replica did not start (see $root/replica.log)"
}

start_redis() {
  local root pw port
  root=$(state_get GOLIVE_REF_PG_ROOT); pw=$(random_secret)
  command -v "$REDIS_BIN" >/dev/null || die "redis-server not found (run scripts/bootstrap)"
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    rm -f "$root/redis.pid"
    if "$REDIS_BIN" --bind 127.0.0.1 --port "$port" --daemonize yes --pidfile "$root/redis.pid" \
         --dir "$root" --logfile "$root/redis.log" --save '' --appendonly no \
         --maxmemory 64mb --maxmemory-policy allkeys-lru --requirepass "$pw" >/dev/null; then
      for _ in $(seq 1 50); do [ -s "$root/redis.pid" ] && break; sleep 0.05; done
      if [ -s "$root/redis.pid" ] && alive "$(cat "$root/redis.pid")"; then
        state_set GOLIVE_REF_REDIS_PID "$(cat "$root/redis.pid")"
        state_set GOLIVE_REF_REDIS_URL "redis://:$pw@127.0.0.1:$port/0"
        say "redis up on port $port"
        return 0
      fi
    fi
    say "redis port $port taken, retrying"
  done
  die "redis did not start (see $root/redis.log)"
}

# nginx in front of the instances (ports "P1 P2"); keeps its own port across restarts.
write_nginx_conf() {
  local root=$1; shift
  local ports=("$@") upstream="" p cache_assets cache_html proxy_cache
  for p in "${ports[@]}"; do upstream+="    server 127.0.0.1:$p max_fails=1 fail_timeout=10s;"$'\n'; done
  if has_defect static-no-cache; then
    cache_assets=""; cache_html=""; proxy_cache="proxy_cache off;"
  else
    cache_assets='add_header Cache-Control "public, max-age=31536000, immutable";'
    cache_html='add_header Cache-Control "no-cache";'
    proxy_cache="proxy_cache static; proxy_cache_valid 200 10m; proxy_cache_revalidate on;"
  fi
  local proxy_api='proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr; proxy_next_upstream error timeout http_502;
      proxy_connect_timeout 2s; proxy_read_timeout 120s; proxy_buffering off;'
  local user_line=""
  [ "$(id -u)" = 0 ] && user_line="user nobody nogroup;"
  cat > "$root/nginx/nginx.conf" <<EOF
$user_line
worker_processes 2;
worker_rlimit_nofile 20000;
pid $root/nginx/nginx.pid;
error_log $root/nginx/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  server_tokens off;
  types { text/html html; application/javascript js; text/css css; image/svg+xml svg; application/json json; }
  default_type application/octet-stream;
  gzip on; gzip_vary on; gzip_proxied any; gzip_min_length 200;
  gzip_types application/javascript text/css application/json image/svg+xml;
  proxy_cache_path $root/nginx/cache levels=1:2 keys_zone=static:1m max_size=20m inactive=1h use_temp_path=off;
  upstream api {
$upstream    keepalive 32;
  }
  # Auth keeps a client on one instance (the per-IP signup and login limits
  # are per process), and fails over like the rest.
  upstream api_auth {
    hash \$remote_addr consistent;
$upstream    keepalive 16;
  }
  # The static origin (what a CDN would pull from).
  server {
    listen 127.0.0.1:$(state_get GOLIVE_REF_STATIC_ORIGIN_PORT);
    root $root/nginx/static;
    etag on;
    location /assets/ { $cache_assets }
    location / { $cache_html }
  }
  # The edge: static assets through proxy_cache, everything else to the instances.
  server {
    listen 127.0.0.1:$(state_get GOLIVE_REF_NGINX_PORT);
    client_max_body_size 64m;
    location = / { proxy_pass http://127.0.0.1:$(state_get GOLIVE_REF_STATIC_ORIGIN_PORT); $proxy_cache
                   add_header X-Cache-Status \$upstream_cache_status always; }
    location = /index.html { proxy_pass http://127.0.0.1:$(state_get GOLIVE_REF_STATIC_ORIGIN_PORT); $proxy_cache
                   add_header X-Cache-Status \$upstream_cache_status always; }
    location /assets/ { proxy_pass http://127.0.0.1:$(state_get GOLIVE_REF_STATIC_ORIGIN_PORT); $proxy_cache
                        add_header X-Cache-Status \$upstream_cache_status always; }
    location /auth/v1/ {
      proxy_pass http://api_auth;
      $proxy_api
    }
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_next_upstream error timeout http_502;
      proxy_connect_timeout 2s;
      proxy_read_timeout 120s;
      proxy_buffering off;
    }
  }
}
EOF
}

start_nginx() {
  local root pid; root=$(state_get GOLIVE_REF_PG_ROOT)
  mkdir -p "$root/nginx/cache"
  chmod 777 "$root/nginx" "$root/nginx/cache"
  # The workers (nobody, when started as root) serve a copy: the checkout
  # itself may sit in a directory only its owner can enter (mktemp -d).
  rm -rf "$root/nginx/static"
  cp -r "$ROOT/fixtures/static" "$root/nginx/static"
  chmod -R a+rX "$root/nginx/static"
  [ -n "$(state_get GOLIVE_REF_NGINX_PORT)" ] || state_set GOLIVE_REF_NGINX_PORT "$(free_port)"
  [ -n "$(state_get GOLIVE_REF_STATIC_ORIGIN_PORT)" ] || state_set GOLIVE_REF_STATIC_ORIGIN_PORT "$(free_port)"
  write_nginx_conf "$root" "$@"
  pid=$(state_get GOLIVE_REF_NGINX_PID)
  if alive "$pid"; then
    "$NGINX_BIN" -p "$root/nginx" -c "$root/nginx/nginx.conf" -e "$root/nginx/error.log" -s reload 2>>"$root/nginx/error.log" \
      || die "nginx reload failed (see $root/nginx/error.log)"
    sleep 0.3
  else
    # A free port can be taken by someone else before nginx binds it: new ports, again.
    local attempt
    for attempt in 1 2 3 4 5; do
      "$NGINX_BIN" -p "$root/nginx" -c "$root/nginx/nginx.conf" -e "$root/nginx/error.log" 2>>"$root/nginx/error.log" && break
      [ "$attempt" = 5 ] && die "nginx did not start: $(tail -n 3 "$root/nginx/error.log")"
      say "nginx ports taken, retrying"
      state_set GOLIVE_REF_NGINX_PORT "$(free_port)"
      state_set GOLIVE_REF_STATIC_ORIGIN_PORT "$(free_port)"
      write_nginx_conf "$root" "$@"
    done
    for _ in $(seq 1 50); do [ -s "$root/nginx/nginx.pid" ] && break; sleep 0.05; done
    state_set GOLIVE_REF_NGINX_PID "$(cat "$root/nginx/nginx.pid")"
  fi
  state_set GOLIVE_REF_BASE_URL "http://127.0.0.1:$(state_get GOLIVE_REF_NGINX_PORT)"
  say "nginx up: $(state_get GOLIVE_REF_BASE_URL) -> instances on port(s) $*"
}

stop_pid() { stop_pids "$1"; }

stop_pids() {  # stop_pids PID...: TERM all at once, wait up to 5 s for all, then KILL the rest
  local pid live=()
  for pid in "$@"; do alive "$pid" && { kill "$pid" 2>/dev/null || true; live+=("$pid"); }; done
  for _ in $(seq 1 100); do
    local still=()
    for pid in "${live[@]:-}"; do alive "$pid" && still+=("$pid"); done
    [ ${#still[@]} = 0 ] && return 0
    live=("${still[@]}")
    sleep 0.05
  done
  for pid in "${live[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
}

# stop_postgres DATA PID: a fast shutdown (pg_ctl waits for it), TERM if pg_ctl fails.
stop_postgres() {
  local data=$1 pid=$2
  alive "$pid" || return 0
  as_pg_owner "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do alive "$pid" || return 0; sleep 0.05; done
}

# The balancer and the cache (the services are stopped with them by cmd_down),
# then the replica in the background: cmd_down stops the primary meanwhile and waits.
topology_down() {
  local root; root=$(state_get GOLIVE_REF_PG_ROOT)
  stop_pids "$@" "$(state_get GOLIVE_REF_NGINX_PID)" "$(state_get GOLIVE_REF_REDIS_PID)"
  REPLICA_STOP_PID=""
  if alive "$(state_get GOLIVE_REF_REPLICA_PID)"; then
    stop_postgres "$root/replica" "$(state_get GOLIVE_REF_REPLICA_PID)" &
    REPLICA_STOP_PID=$!
  fi
}

topology_status() {
  local pid
  pid=$(state_get GOLIVE_REF_REPLICA_PID); alive "$pid" && echo "replica: running (pid $pid, port $(state_get GOLIVE_REF_REPLICA_PORT))"
  pid=$(state_get GOLIVE_REF_REDIS_PID); alive "$pid" && echo "redis: running (pid $pid)"
  pid=$(state_get GOLIVE_REF_NGINX_PID); alive "$pid" && echo "nginx: running (pid $pid, $(state_get GOLIVE_REF_BASE_URL))"
  pid=$(state_get GOLIVE_REF_SERVICE2_PID); alive "$pid" && echo "service instance 2: running (pid $pid)"
  return 0
}
