// A PostgREST-style REST API over a PostgreSQL database, written the way
// public Supabase-style projects put a Node server in front of their schema:
// node-postgres (`pg`), the caller's JWT verified with the project's JWT
// secret, and every statement run in a transaction that first does what
// PostgREST does: `set local role` to the token's role and
// `request.jwt.claims` to its claims, so the schema's RLS policies decide.
//
//   node tests/node/postgrest_api.js --database-url URL --jwt-secret SECRET
//        --anon-key KEY [--schemas public,app] [--privileged-table NAME]... [--privileged-functions]
//
// Listens on 127.0.0.1 on a free port and prints {"port": N} on one line.
//   GET|HEAD /rest/v1/<table>?<col>=eq.<v>&limit=<n>   rows as a JSON array;
//            Prefer: count=exact adds Content-Range: 0-<n-1>/<total>
//   POST     /rest/v1/<table>   JSON object (or array) inserted; 201, with the
//            rows when Prefer: return=representation
//   PATCH    /rest/v1/<table>?<filters>   JSON object of new values
//   DELETE   /rest/v1/<table>?<filters>
// Tables of the served schemas (--schemas, default public; the first is the
// default): Accept-Profile (GET, HEAD) or Content-Profile (other methods)
// selects another, 406 for a schema not served, as PostgREST answers; 404
// for any other path or table.
// Two edge-function-style routes on public.post_notes take the id in the body:
//   POST     /functions/v1/read-note    {"id"} -> the note, 404 when not visible
//   POST     /functions/v1/delete-note  {"id"} -> 204, 404 when nothing deleted
// Callers: `apikey` must be the anon key; `Authorization: Bearer <jwt>` (HS256
// with the JWT secret, exp checked) selects the role of its `role` claim,
// without it the caller is anon. Errors as PostgREST maps them: 42501 (an RLS
// or privilege refusal) 401 for anon, 403 otherwise; 23505/23503 409; other
// 22xxx/23xxx and raised exceptions 400; 42P01 404; anything else 500.
//
// --privileged-table NAME (repeatable): the mistake the API access matrix
// exists for: that table's routes query as service_role (the "service key"
// route), so its RLS policies never apply to API callers.
// --privileged-functions: the function routes query as service_role without
// checking the caller (an edge function using the service key).
'use strict';

const http = require('http');
const crypto = require('crypto');
const {Pool} = require('pg');

function argument(name) {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : undefined;
}
function all(name) {
  const values = [];
  process.argv.forEach((arg, i) => { if (arg === name && i + 1 < process.argv.length) values.push(process.argv[i + 1]); });
  return values;
}
const databaseUrl = argument('--database-url');
const jwtSecret = argument('--jwt-secret');
const anonKey = argument('--anon-key');
const privileged = new Set(all('--privileged-table'));
const privilegedFunctions = process.argv.includes('--privileged-functions');
const schemas = (argument('--schemas') || 'public').split(',');
if (!databaseUrl || !jwtSecret || !anonKey) {
  process.stderr.write('usage: postgrest_api.js --database-url URL --jwt-secret SECRET --anon-key KEY ' +
                       '[--privileged-table NAME]...\n');
  process.exit(2);
}

const pool = new Pool({connectionString: databaseUrl, max: 4});

// The claims of a valid HS256 token, else undefined.
function verifyJwt(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    if (header.alg !== 'HS256') return undefined;
    const expected = crypto.createHmac('sha256', jwtSecret).update(parts[0] + '.' + parts[1]).digest();
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return undefined;
    return claims;
  } catch (e) {
    return undefined;
  }
}

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, Object.assign({'Content-Type': 'application/json'}, headers));
  res.end(text);
}

// The caller's role and claims, or an HTTP error.
function caller(req) {
  if (req.headers.apikey !== anonKey) return {error: [401, {message: 'Invalid API key'}]};
  const authorization = req.headers.authorization;
  if (!authorization) return {role: 'anon', claims: {role: 'anon'}};
  const match = /^Bearer (.+)$/.exec(authorization);
  const claims = match ? verifyJwt(match[1]) : undefined;
  if (!claims) return {error: [401, {code: 'PGRST301', message: 'JWT invalid'}]};
  if (!['anon', 'authenticated', 'service_role'].includes(claims.role)) {
    return {error: [401, {code: 'PGRST301', message: 'JWT role not allowed'}]};
  }
  return {role: claims.role, claims};
}

async function columnsOf(client, schema, table) {
  const result = await client.query(
      'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
      [schema, table]);
  return new Set(result.rows.map((row) => row.column_name));
}

// WHERE clause of the eq. filters; params are appended to `params`.
function whereOf(query, columns, params) {
  const terms = [];
  for (const [key, value] of query) {
    if (key === 'limit' || key === 'select' || key === 'order') continue;
    if (!columns.has(key) || !value.startsWith('eq.')) throw Object.assign(new Error('bad filter ' + key), {status: 400});
    params.push(value.slice(3));
    terms.push(`${ident(key)}::text = $${params.length}`);
  }
  return terms.length ? ' WHERE ' + terms.join(' AND ') : '';
}

function ident(name) {
  return '"' + name.replace(/"/g, '""') + '"';
}

function statusOf(error, role) {
  const code = error.code || '';
  if (code === '42501') return role === 'anon' ? 401 : 403;
  if (code === '23505' || code === '23503') return 409;
  if (code === '42P01') return 404;
  if (code.startsWith('22') || code.startsWith('23') || code === 'P0001') return 400;
  return 500;
}

// The note functions: one statement on public.post_notes by the id in the body.
async function handleFunction(req, res, body, name) {
  const who = caller(req);
  if (who.error) return send(res, who.error[0], who.error[1]);
  if (req.method !== 'POST') return send(res, 405, {message: 'method not allowed'});
  let id;
  try {
    id = JSON.parse(body || '{}').id;
  } catch (e) {
    return send(res, 400, {message: 'body is not JSON'});
  }
  if (id === undefined) return send(res, 400, {message: 'id is required'});
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true)",
                       [privilegedFunctions ? 'service_role' : who.role, JSON.stringify(who.claims)]);
    const statement = name === 'read-note' ? 'SELECT * FROM public.post_notes WHERE id::text = $1'
                                           : 'DELETE FROM public.post_notes WHERE id::text = $1 RETURNING id';
    const rows = (await client.query(statement, [String(id)])).rows;
    await client.query('COMMIT');
    if (rows.length === 0) return send(res, 404, {message: 'note not found'});
    return name === 'read-note' ? send(res, 200, rows[0]) : send(res, 204);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    return send(res, statusOf(error, who.role), {code: error.code, message: error.message});
  } finally {
    client.release();
  }
}

async function handle(req, res, body) {
  const url = new URL(req.url, 'http://localhost');
  const functionRoute = /^\/functions\/v1\/(read-note|delete-note)$/.exec(url.pathname);
  if (functionRoute) return handleFunction(req, res, body, functionRoute[1]);
  const match = /^\/rest\/v1\/([A-Za-z0-9_]+)$/.exec(url.pathname);
  if (!match) return send(res, 404, {message: 'not found'});
  const table = match[1];
  const who = caller(req);
  if (who.error) return send(res, who.error[0], who.error[1]);
  const prefer = String(req.headers.prefer || '');
  const profile = req.method === 'GET' || req.method === 'HEAD' ? req.headers['accept-profile']
                                                                : req.headers['content-profile'];
  const schema = profile || schemas[0];
  if (!schemas.includes(schema)) {
    return send(res, 406, {code: 'PGRST106', message: 'The schema must be one of the following: ' + schemas.join(', ')});
  }
  const client = await pool.connect();
  try {
    const columns = await columnsOf(client, schema, table);
    if (columns.size === 0) return send(res, 404, {code: '42P01', message: `relation "${schema}.${table}" does not exist`});
    await client.query('BEGIN');
    // What PostgREST does per request; a privileged table's route skips the
    // caller's role and queries as service_role (RLS bypassed).
    const role = privileged.has(table) ? 'service_role' : who.role;
    await client.query("SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true)",
                       [role, JSON.stringify(who.claims)]);
    const target = ident(schema) + '.' + ident(table);
    const params = [];
    let status = 200;
    let rows;
    const headers = {};
    if (req.method === 'GET' || req.method === 'HEAD') {
      const where = whereOf(url.searchParams, columns, params);
      const limit = Number.parseInt(url.searchParams.get('limit') || '1000', 10);
      rows = (await client.query(`SELECT * FROM ${target}${where} LIMIT ${Number.isFinite(limit) ? limit : 1000}`,
                                 params)).rows;
      if (prefer.includes('count=exact')) {
        const total = (await client.query(`SELECT count(*)::bigint AS n FROM ${target}${where}`, params)).rows[0].n;
        headers['Content-Range'] = (rows.length ? `0-${rows.length - 1}` : '*') + '/' + total;
      }
    } else if (req.method === 'POST') {
      const record = JSON.parse(body || 'null');
      const records = Array.isArray(record) ? record : [record];
      rows = [];
      for (const one of records) {
        const keys = Object.keys(one || {}).filter((key) => columns.has(key));
        if (keys.length === 0) throw Object.assign(new Error('empty row'), {status: 400});
        const list = keys.map(ident).join(', ');
        params.length = 0;
        params.push(JSON.stringify(one));
        const returning = prefer.includes('return=representation') ? ' RETURNING *' : '';
        const inserted = await client.query(
            `INSERT INTO ${target} (${list}) SELECT ${list} FROM json_populate_record(null::${target}, $1::json)${returning}`,
            params);
        rows.push(...inserted.rows);
      }
      status = 201;
      if (!prefer.includes('return=representation')) rows = undefined;
    } else if (req.method === 'PATCH' || req.method === 'DELETE') {
      let statement;
      if (req.method === 'PATCH') {
        const values = JSON.parse(body || '{}');
        const keys = Object.keys(values).filter((key) => columns.has(key));
        if (keys.length === 0) throw Object.assign(new Error('nothing to update'), {status: 400});
        params.push(JSON.stringify(values));
        const list = keys.map(ident).join(', ');
        statement = `UPDATE ${target} SET (${list}) = (SELECT ${list} FROM json_populate_record(null::${target}, $1::json))`;
      } else {
        statement = `DELETE FROM ${target}`;
      }
      const where = whereOf(url.searchParams, columns, params);
      rows = (await client.query(statement + where + ' RETURNING *', params)).rows;
      if (!prefer.includes('return=representation')) {
        rows = undefined;
        status = 204;
      }
    } else {
      await client.query('ROLLBACK');
      return send(res, 405, {message: 'method not allowed'});
    }
    await client.query('COMMIT');
    if (req.method === 'HEAD') {
      res.writeHead(status, Object.assign({'Content-Type': 'application/json'}, headers));
      return res.end();
    }
    return send(res, status, rows, headers);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    return send(res, error.status || statusOf(error, who.role), {code: error.code, message: error.message});
  } finally {
    client.release();
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((error) => send(res, 500, {message: error.message}));
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({port: server.address().port}) + '\n');
});
process.on('SIGTERM', () => {
  server.close();
  pool.end().finally(() => process.exit(0));
});
