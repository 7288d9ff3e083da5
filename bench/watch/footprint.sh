#!/usr/bin/env bash
# golive watch's footprint: RSS and CPU of one `golive watch` process over a
# long watch (default 600 s at one round per second) against the embedded
# reference target, started separately so only golive's own process is
# measured. Samples /proc/<pid>/status (VmRSS) and /proc/<pid>/stat
# (utime + stime) every 10 s, and /usr/bin/time -v at the end.
#
#   bench/watch/footprint.sh [SECONDS] [GOLIVE_BINARY]
#   GOLIVE_STATE_DIR=/tmp/golive-bench-watch bench/watch/footprint.sh 600 build/cli/golive
#
# Prints one line per sample (seconds, RSS kB, CPU seconds) and a summary:
# RSS first/median/max, CPU seconds in total and as a share of one core.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECONDS_TO_WATCH=${1:-600}
GOLIVE=${2:-$ROOT/build/cli/golive}
export GOLIVE_STATE_DIR=${GOLIVE_STATE_DIR:-$(mktemp -d /tmp/golive-watch-bench.XXXXXX)}
export GOLIVE_REFERENCE_TARGET_BIN=${GOLIVE_REFERENCE_TARGET_BIN:-$ROOT/build/fixtures/service/golive-reference-target}
WORK=$(mktemp -d /tmp/golive-watch-footprint.XXXXXX)
cleanup() {
  [ -n "${WATCH_PID:-}" ] && kill -TERM "$WATCH_PID" 2>/dev/null || true
  "$ROOT/scripts/reference-env" down >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$ROOT/scripts/reference-env" up --topology single >/dev/null
# envs/local.json reads the default state dir: point a copy at this one.
sed "s#\"vars_file\": \"../.golive/reference/state.env\"#\"vars_file\": \"$GOLIVE_STATE_DIR/state.env\"#" \
  "$ROOT/envs/local.json" > "$ROOT/envs/.footprint-$$.json"
ENV_FILE="$ROOT/envs/.footprint-$$.json"
trap 'cleanup; rm -f "$ENV_FILE"' EXIT
/usr/bin/time -v -o "$WORK/time.txt" "$GOLIVE" watch --env "$ENV_FILE" --interval 1 \
  --duration "$SECONDS_TO_WATCH" --listen 127.0.0.1:0 --log "$WORK/watch.jsonl" > "$WORK/out.txt" 2>&1 &
TIME_PID=$!
sleep 1
WATCH_PID=$(pgrep -P "$TIME_PID" | head -n1)
TICK=$(getconf CLK_TCK)
echo "seconds rss_kb cpu_s"
start=$(date +%s)
while kill -0 "$WATCH_PID" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$WATCH_PID/status" 2>/dev/null || true)
  cpu=$(awk -v t="$TICK" '{printf "%.2f", ($14 + $15) / t}' "/proc/$WATCH_PID/stat" 2>/dev/null || true)
  [ -n "$rss" ] && echo "$(( $(date +%s) - start )) $rss $cpu" | tee -a "$WORK/samples.txt"
  sleep 10
done
wait "$TIME_PID" || true
WATCH_PID=
cat "$WORK/out.txt"
probes=$(wc -l < "$WORK/watch.jsonl")
median=$(sort -k2n "$WORK/samples.txt" | awk '{ r[NR] = $2 } END { print r[int((NR + 1) / 2)] }')
awk -v probes="$probes" -v secs="$SECONDS_TO_WATCH" -v median="$median" '
  NR == 1 { first = $2 }
  { if ($2 > max) max = $2; cpu = $3; n = NR }
  END {
    printf "RSS kB: first %d, median %d, max %d (%d samples)\n", first, median, max, n
    printf "CPU: %.2f s over %d s (%.3f%% of one core), %d probes\n", cpu, secs, 100 * cpu / secs, probes
  }' "$WORK/samples.txt"
grep -E "Maximum resident|User time|System time|Elapsed" "$WORK/time.txt"
