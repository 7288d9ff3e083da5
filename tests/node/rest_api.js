// A small REST API that is not Supabase-shaped: its own opaque bearer tokens,
// its own login, one owned resource. golive's HTTP probes are proven on it.
//
//   node tests/node/rest_api.js [--variant correct|bola|no-rate-limit|jwt-accept-none]
//                               [--tokens opaque|jwt]
//
// Listens on 127.0.0.1 on a free port and prints {"port": N, "tokens": {...}}
// on one line: two pre-issued tokens (users A and B) for auth.kind "tokens".
//   POST   /api/login        {"email", "password"} -> {"token", "user": {"id"}} for
//                            a@notes.test / pw-a-secret and b@notes.test / pw-b-secret
//                            (users A and B), else 401; 5 attempts per client per
//                            minute, then 429 with Retry-After
//   POST   /api/notes        create a note owned by the caller -> {"id", "text"}
//   GET    /api/notes?q=     the caller's notes whose text contains q (a plain
//                            substring match: no query language to inject into)
//   GET    /api/notes/:id    the owner's note; 404 for anyone else
//   PATCH  /api/notes/:id    owner only
//   DELETE /api/notes/:id    owner only
// Tokens: opaque random strings (the default), or with --tokens jwt HS256 JWTs
// ({"sub": user id, "exp"}) under a key only this process knows, verified
// with the signature and expiry checked, as jsonwebtoken does by default.
// Variants:
//   correct          as above
//   bola             notes are served, changed and deleted for any valid token
//   no-rate-limit    login never answers 429
//   jwt-accept-none  (with --tokens jwt) a token whose header says alg "none" is
//                    accepted without a signature
'use strict';

const http = require('http');
const crypto = require('crypto');

function argument(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}
const variant = argument('--variant', 'correct');
const tokenKind = argument('--tokens', 'opaque');
if (!['correct', 'bola', 'no-rate-limit', 'jwt-accept-none'].includes(variant) ||
    !['opaque', 'jwt'].includes(tokenKind)) {
  process.stderr.write('usage: rest_api.js [--variant correct|bola|no-rate-limit|jwt-accept-none] ' +
                       '[--tokens opaque|jwt]\n');
  process.exit(2);
}

const jwtKey = crypto.randomBytes(32);
const base64url = (buffer) => Buffer.from(buffer).toString('base64url');
function signJwt(claims) {
  const head = base64url(JSON.stringify({alg: 'HS256', typ: 'JWT'})) + '.' + base64url(JSON.stringify(claims));
  return head + '.' + base64url(crypto.createHmac('sha256', jwtKey).update(head).digest());
}
// The user id of a valid JWT, else undefined.
function verifyJwt(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  let header;
  let claims;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch (error) {
    return undefined;
  }
  const unsignedAccepted = variant === 'jwt-accept-none' && String(header.alg).toLowerCase() === 'none';
  if (!unsignedAccepted) {
    if (header.alg !== 'HS256') return undefined;
    const expected = crypto.createHmac('sha256', jwtKey).update(parts[0] + '.' + parts[1]).digest();
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return undefined;
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return undefined;
  return typeof claims.sub === 'string' ? claims.sub : undefined;
}

function issue(prefix) {
  const userId = prefix + crypto.randomBytes(3).toString('hex');
  const token = tokenKind === 'jwt'
      ? signJwt({sub: userId, role: 'authenticated', iat: Math.floor(Date.now() / 1000),
                 exp: Math.floor(Date.now() / 1000) + 3600})
      : 'rk_' + crypto.randomBytes(16).toString('hex');
  return {token, user_id: userId};
}
const tokens = {a: issue('usr_a_'), b: issue('usr_b_')};
const userByToken = new Map(Object.values(tokens).map((t) => [t.token, t.user_id]));
const notes = new Map();  // id -> {owner, text}
const loginAttempts = new Map();  // client address -> [unix ms of each attempt]
const kLoginLimit = 5;            // attempts per window
const kWindowMs = 60 * 1000;

function send(response, status, body, headers = {}) {
  response.writeHead(status, Object.assign({'Content-Type': 'application/json'}, headers));
  response.end(body === undefined ? '' : JSON.stringify(body));
}

function caller(request) {
  const header = request.headers.authorization || '';
  if (!header.startsWith('Bearer ')) return undefined;
  return tokenKind === 'jwt' ? verifyJwt(header.slice(7)) : userByToken.get(header.slice(7));
}

const accounts = {'a@notes.test': ['pw-a-secret', 'a'], 'b@notes.test': ['pw-b-secret', 'b']};

function login(request, response, body) {
  if (variant !== 'no-rate-limit') {
    const now = Date.now();
    const recent = (loginAttempts.get(request.socket.remoteAddress) || []).filter((t) => now - t < kWindowMs);
    recent.push(now);
    loginAttempts.set(request.socket.remoteAddress, recent);
    if (recent.length > kLoginLimit) return send(response, 429, {error: 'slow down'}, {'Retry-After': '60'});
  }
  const account = body && accounts[body.email];
  if (account && body.password === account[0]) {
    const issued = tokens[account[1]];
    return send(response, 200, {token: issued.token, user: {id: issued.user_id}});
  }
  return send(response, 401, {error: 'invalid credentials'});
}

function notesRoute(request, response, id, body) {
  const user = caller(request);
  if (!user) return send(response, 401, {error: 'unauthenticated'});
  if (id === undefined) {
    if (request.method === 'GET') {
      const q = new URL(request.url, 'http://127.0.0.1').searchParams.get('q') || '';
      const mine = [...notes.entries()].filter(([, n]) => n.owner === user && n.text.includes(q));
      return send(response, 200, mine.map(([noteId, n]) => ({id: noteId, text: n.text})));
    }
    if (request.method !== 'POST') return send(response, 405, {error: 'method not allowed'});
    const noteId = 'note_' + crypto.randomBytes(6).toString('hex');
    notes.set(noteId, {owner: user, text: String((body && body.text) || '')});
    return send(response, 201, {id: noteId, text: notes.get(noteId).text});
  }
  const note = notes.get(id);
  if (!note || (variant !== 'bola' && note.owner !== user)) return send(response, 404, {error: 'not found'});
  switch (request.method) {
    case 'GET': return send(response, 200, {id, text: note.text});
    case 'PATCH':
      note.text = String((body && body.text) || note.text);
      return send(response, 200, {id, text: note.text});
    case 'DELETE':
      notes.delete(id);
      return send(response, 204);
    default: return send(response, 405, {error: 'method not allowed'});
  }
}

const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const url = new URL(request.url, 'http://127.0.0.1');
    let body;
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    } catch (error) {
      return send(response, 400, {error: 'body is not JSON'});
    }
    if (url.pathname === '/api/login') {
      return request.method === 'POST' ? login(request, response, body) : send(response, 405, {error: 'method not allowed'});
    }
    const match = url.pathname.match(/^\/api\/notes(?:\/([^/]+))?$/);
    if (match) return notesRoute(request, response, match[1], body);
    if (url.pathname === '/' && request.method === 'GET') {
      response.writeHead(200, {'Content-Type': 'text/html'});
      return response.end('<!doctype html><title>notes</title><p>notes</p>');
    }
    return send(response, 404, {error: 'not found'});
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({port: server.address().port, variant, tokens}) + '\n');
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
