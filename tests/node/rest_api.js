// A small REST API that is not Supabase-shaped: its own opaque bearer tokens,
// its own login, one owned resource. golive's HTTP probes are proven on it.
//
//   node tests/node/rest_api.js [--variant correct|bola|no-rate-limit]
//
// Listens on 127.0.0.1 on a free port and prints {"port": N, "tokens": {...}}
// on one line: two pre-issued tokens (users A and B) for auth.kind "tokens".
//   POST   /api/login        {"email", "password"} -> {"token", "user": {"id"}} for
//                            a@notes.test / pw-a-secret and b@notes.test / pw-b-secret
//                            (users A and B), else 401; 5 attempts per client per
//                            minute, then 429 with Retry-After
//   POST   /api/notes        create a note owned by the caller -> {"id", "text"}
//   GET    /api/notes/:id    the owner's note; 404 for anyone else
//   PATCH  /api/notes/:id    owner only
//   DELETE /api/notes/:id    owner only
// Variants:
//   correct          as above
//   bola             notes are served, changed and deleted for any valid token
//   no-rate-limit    login never answers 429
'use strict';

const http = require('http');
const crypto = require('crypto');

const variantAt = process.argv.indexOf('--variant');
const variant = variantAt >= 0 ? process.argv[variantAt + 1] : 'correct';
if (!['correct', 'bola', 'no-rate-limit'].includes(variant)) {
  process.stderr.write('usage: rest_api.js [--variant correct|bola|no-rate-limit]\n');
  process.exit(2);
}

const tokens = {
  a: {token: 'rk_' + crypto.randomBytes(16).toString('hex'), user_id: 'usr_a_' + crypto.randomBytes(3).toString('hex')},
  b: {token: 'rk_' + crypto.randomBytes(16).toString('hex'), user_id: 'usr_b_' + crypto.randomBytes(3).toString('hex')},
};
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
  return header.startsWith('Bearer ') ? userByToken.get(header.slice(7)) : undefined;
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
