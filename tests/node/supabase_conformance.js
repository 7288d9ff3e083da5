// Drives a Supabase-shaped target with Supabase's official JavaScript client
// (@supabase/supabase-js, pinned in package.json) the way an app calls it, and
// checks every call against what Supabase answers: auth (signup, password
// sign-in, refresh, sign-out refusing the old session, admin create, list and
// delete), PostgREST (insert/select/update/delete with filters, or, embedding,
// single, maybeSingle, upsert, count with head, rpc, the anonymous role
// refused with 401), storage (upload from a Buffer and from a Blob, download,
// one and many signed URLs, list, remove) and functions.invoke.
//
//   SUPABASE_URL=http://127.0.0.1:PORT SUPABASE_ANON_KEY=... SUPABASE_SERVICE_ROLE_KEY=... \
//     node tests/node/supabase_conformance.js
//
// Prints one JSON line per call, {"call", "ok", "detail"}, then
// {"summary": {"passed", "failed"}}; exits 0 when every call behaved as on
// Supabase, 1 otherwise, 2 on bad usage. Every user it creates is deleted.
'use strict';

const { createClient } = require('@supabase/supabase-js');

const url = process.env.SUPABASE_URL;
const anonKey = process.env.SUPABASE_ANON_KEY;
const serviceKey = process.env.SUPABASE_SERVICE_ROLE_KEY;
const bucket = process.env.SUPABASE_BUCKET || 'uploads';
if (!url || !anonKey || !serviceKey) {
  process.stderr.write('set SUPABASE_URL, SUPABASE_ANON_KEY and SUPABASE_SERVICE_ROLE_KEY\n');
  process.exit(2);
}

// Realtime is not exercised: Node 20 has no WebSocket, and the client only
// needs a constructor to exist until a channel subscribes.
class NoWebSocket {
  constructor() { throw new Error('realtime is not part of this check'); }
}
const options = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  realtime: { transport: NoWebSocket },
};
const admin = createClient(url, serviceKey, options);
const results = [];

function record(call, ok, detail) {
  const line = { call, ok: Boolean(ok), detail: detail === undefined ? '' : String(detail) };
  results.push(line);
  process.stdout.write(JSON.stringify(line) + '\n');
}

// Runs one call; a thrown error is a failed call, not a crashed script.
async function check(call, body) {
  try {
    const detail = await body();
    record(call, true, detail);
  } catch (error) {
    record(call, false, error && error.message ? error.message : error);
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

function noError(result, what) {
  expect(!result.error, `${what}: ${result.error && (result.error.message || JSON.stringify(result.error))}`);
  return result.data;
}

const random = () => Math.random().toString(16).slice(2, 10);
const created = [];  // user ids to delete at the end

async function main() {
  const email = `golive-sbjs-${random()}@example.test`;
  const password = `Sbjs-${random()}-pw`;
  const client = createClient(url, anonKey, options);
  let userId = '';
  let firstSession = null;

  // ---- auth ------------------------------------------------------------
  await check('auth.signUp', async () => {
    const data = noError(await client.auth.signUp({ email, password }), 'signUp');
    expect(data.user && data.user.email === email, 'the user has the address signed up with');
    userId = data.user.id;
    created.push(userId);
    // The reference auto-confirms by default, as a project with "Confirm email" off.
    expect(data.session && data.session.access_token, 'an auto-confirming project answers a session');
    return `user ${userId}`;
  });
  await check('auth.signInWithPassword', async () => {
    const data = noError(await client.auth.signInWithPassword({ email, password }), 'signIn');
    expect(data.session.refresh_token, 'a refresh token');
    expect(data.user.id === userId, 'the same user');
    firstSession = data.session;
    return `expires_in ${data.session.expires_in}`;
  });
  await check('auth.signInWithPassword.wrong_password', async () => {
    const result = await createClient(url, anonKey, options).auth.signInWithPassword({ email, password: 'wrong-' + password });
    expect(result.error, 'refused');
    expect(result.error.status === 400, `status 400, got ${result.error.status}`);
    expect(result.error.code === 'invalid_credentials', `code invalid_credentials, got ${result.error.code}`);
    return result.error.message;
  });
  await check('auth.getUser', async () => {
    const data = noError(await client.auth.getUser(), 'getUser');
    expect(data.user.id === userId, 'the signed-in user');
    expect(data.user.app_metadata && data.user.app_metadata.provider === 'email', 'app_metadata.provider');
    return data.user.email;
  });
  await check('auth.refreshSession', async () => {
    const data = noError(await client.auth.refreshSession({ refresh_token: firstSession.refresh_token }), 'refresh');
    expect(data.session.refresh_token !== firstSession.refresh_token, 'the refresh token rotates');
    const reused = await createClient(url, anonKey, options).auth.refreshSession({ refresh_token: firstSession.refresh_token });
    expect(reused.error, 'a spent refresh token is refused');
    return 'rotated';
  });
  await check('auth.signOut', async () => {
    const other = createClient(url, anonKey, options);
    const session = noError(await other.auth.signInWithPassword({ email, password }), 'signIn').session;
    noError(await other.auth.signOut(), 'signOut');
    const after = await other.auth.getUser(session.access_token);
    expect(after.error, 'the signed-out token is refused by GET /user');
    // GoTrue answers 403 session_not_found, which auth-js turns into its
    // AuthSessionMissingError; any other refusal would surface as AuthApiError.
    expect(after.error.name === 'AuthSessionMissingError',
      `session_not_found (AuthSessionMissingError), got ${after.error.name} ${after.error.status} ${after.error.message}`);
    return `old token refused: ${after.error.name}`;
  });
  // signOut (scope global) ended every session of the user: sign in again.
  noError(await client.auth.signInWithPassword({ email, password }), 'signIn again');

  let adminUserId = '';
  await check('auth.admin.createUser', async () => {
    const data = noError(await admin.auth.admin.createUser({
      email: `golive-sbjs-admin-${random()}@example.test`, password, email_confirm: true,
    }), 'createUser');
    adminUserId = data.user.id;
    created.push(adminUserId);
    expect(data.user.email_confirmed_at, 'confirmed');
    return adminUserId;
  });
  await check('auth.admin.listUsers', async () => {
    const data = noError(await admin.auth.admin.listUsers({ page: 1, perPage: 1000 }), 'listUsers');
    expect(data.users.some((u) => u.id === adminUserId), 'the created user is listed');
    return `${data.users.length} users`;
  });
  await check('auth.admin.deleteUser', async () => {
    noError(await admin.auth.admin.deleteUser(adminUserId), 'deleteUser');
    const gone = await admin.auth.admin.getUserById(adminUserId);
    expect(gone.error && gone.error.status === 404, `getUserById after delete: 404, got ${gone.error && gone.error.status}`);
    created.splice(created.indexOf(adminUserId), 1);
    return 'deleted';
  });
  await check('auth.admin.refused_to_anon', async () => {
    const result = await client.auth.admin.deleteUser(userId);
    expect(result.error && result.error.status === 403, `403 not_admin, got ${result.error && result.error.status}`);
    return result.error.code;
  });

  // ---- PostgREST -----------------------------------------------------------
  let courseId = '';
  await check('from.insert.select.single', async () => {
    const data = noError(await client.from('courses').insert({ user_id: userId, title: 'SBJS one', syllabus: 'w1' })
      .select('id, title').single(), 'insert');
    expect(data.title === 'SBJS one' && data.id, 'the inserted row as an object');
    expect(!('syllabus' in data), 'only the selected columns');
    courseId = data.id;
    return courseId;
  });
  await check('from.insert.many', async () => {
    const data = noError(await client.from('topics').insert([
      { course_id: courseId, title: 'SBJS topic A', position: 0 },
      { course_id: courseId, title: 'SBJS topic B', position: 1 },
    ]).select(), 'insert topics');
    expect(data.length === 2, `2 rows, got ${data.length}`);
    return '2 rows';
  });
  await check('from.select.filters', async () => {
    const data = noError(await client.from('topics').select('title, position').eq('course_id', courseId)
      .gte('position', 0).order('position', { ascending: false }).limit(5), 'select');
    expect(data.length === 2 && data[0].position === 1, 'ordered descending');
    return JSON.stringify(data);
  });
  await check('from.select.or', async () => {
    const data = noError(await client.from('topics').select('title').eq('course_id', courseId)
      .or('position.eq.0,title.eq.SBJS topic B'), 'or');
    expect(data.length === 2, `2 rows, got ${data.length}`);
    return 'or matched 2';
  });
  await check('from.select.embedded', async () => {
    const data = noError(await client.from('courses').select('id, title, topics(title, position)')
      .eq('id', courseId).single(), 'embedded');
    expect(Array.isArray(data.topics) && data.topics.length === 2, 'the course embeds its 2 topics');
    const parent = noError(await client.from('topics').select('title, courses(title)').eq('course_id', courseId).limit(1).single(), 'parent');
    expect(parent.courses && parent.courses.title === 'SBJS one', 'a topic embeds its course as an object');
    return 'both directions';
  });
  await check('from.select.count_head', async () => {
    const result = await client.from('topics').select('*', { count: 'exact', head: true }).eq('course_id', courseId);
    noError(result, 'count');
    expect(result.count === 2, `count 2, got ${result.count}`);
    expect(result.data === null, 'no rows with head');
    return `count ${result.count}`;
  });
  await check('from.select.single_refuses_many', async () => {
    const result = await client.from('topics').select('title').eq('course_id', courseId).single();
    expect(result.error && result.error.code === 'PGRST116', `PGRST116, got ${result.error && result.error.code}`);
    expect(result.status === 406, `status 406, got ${result.status}`);
    return result.error.details;
  });
  await check('from.select.maybeSingle_none', async () => {
    const result = await client.from('topics').select('title').eq('title', 'no such topic').maybeSingle();
    noError(result, 'maybeSingle');
    expect(result.data === null, 'null for no row');
    return 'null';
  });
  await check('from.update.select', async () => {
    const data = noError(await client.from('courses').update({ title: 'SBJS renamed' }).eq('id', courseId).select('title'), 'update');
    expect(data.length === 1 && data[0].title === 'SBJS renamed', 'the updated row');
    return data[0].title;
  });
  await check('from.upsert', async () => {
    const data = noError(await client.from('courses').upsert({ id: courseId, user_id: userId, title: 'SBJS upserted' }, { onConflict: 'id' })
      .select('id, title'), 'upsert');
    expect(data.length === 1 && data[0].id === courseId && data[0].title === 'SBJS upserted', 'merged into the row');
    return data[0].title;
  });
  await check('rpc', async () => {
    const data = noError(await client.rpc('course_topic_count', { course: courseId }), 'rpc');
    expect(data === 2, `2, got ${JSON.stringify(data)}`);
    return `returned ${data}`;
  });
  await check('from.insert.anon_refused_401', async () => {
    const anon = createClient(url, anonKey, options);
    const result = await anon.from('courses').insert({ user_id: userId, title: 'anon' });
    expect(result.error, 'refused');
    expect(result.status === 401, `status 401, got ${result.status}`);
    expect(result.error.code === '42501', `code 42501, got ${result.error.code}`);
    expect('details' in result.error && 'hint' in result.error, 'details and hint');
    return result.error.message;
  });
  await check('from.delete', async () => {
    noError(await client.from('topics').delete().eq('course_id', courseId).eq('position', 0), 'delete');
    const data = noError(await client.from('topics').select('title').eq('course_id', courseId), 'select');
    expect(data.length === 1, `1 topic left, got ${data.length}`);
    return '1 left';
  });

  // ---- storage -------------------------------------------------------------
  const fromBuffer = `${userId}/sbjs-buffer-${random()}.txt`;
  const fromBlob = `${userId}/sbjs-blob-${random()}.txt`;
  const store = client.storage.from(bucket);
  await check('storage.upload.buffer', async () => {
    const data = noError(await store.upload(fromBuffer, Buffer.from('from a Buffer'), { contentType: 'text/plain' }), 'upload');
    expect(data.path === fromBuffer, `path ${data.path}`);
    return data.fullPath || data.path;
  });
  await check('storage.upload.blob', async () => {
    const data = noError(await store.upload(fromBlob, new Blob(['from a Blob'], { type: 'text/plain' })), 'upload');
    expect(data.path === fromBlob, `path ${data.path}`);
    return 'multipart';
  });
  await check('storage.download', async () => {
    const data = noError(await store.download(fromBlob), 'download');
    const text = await data.text();
    expect(text === 'from a Blob', `the Blob's bytes, got ${JSON.stringify(text)}`);
    return text;
  });
  await check('storage.createSignedUrl', async () => {
    const data = noError(await store.createSignedUrl(fromBuffer, 60), 'sign');
    const response = await fetch(data.signedUrl);
    expect(response.status === 200, `GET signedUrl: 200, got ${response.status}`);
    expect((await response.text()) === 'from a Buffer', 'the object');
    return 'served';
  });
  await check('storage.createSignedUrls', async () => {
    const data = noError(await store.createSignedUrls([fromBuffer, fromBlob], 60), 'sign many');
    expect(data.length === 2 && data.every((entry) => !entry.error && entry.signedUrl), 'two URLs');
    for (const entry of data) {
      const response = await fetch(entry.signedUrl);
      expect(response.status === 200, `GET ${entry.path}: ${response.status}`);
    }
    return '2 served';
  });
  await check('storage.list', async () => {
    const data = noError(await store.list(userId, { limit: 100, sortBy: { column: 'name', order: 'asc' } }), 'list');
    const names = data.map((entry) => entry.name);
    expect(names.includes(fromBuffer.split('/')[1]) && names.includes(fromBlob.split('/')[1]), `both files, got ${names}`);
    return names.join(',');
  });
  await check('storage.remove', async () => {
    const data = noError(await store.remove([fromBuffer, fromBlob]), 'remove');
    expect(data.length === 2, `2 removed, got ${data.length}`);
    const after = noError(await store.list(userId), 'list');
    expect(after.length === 0, 'nothing left');
    return '2 removed';
  });

  // ---- functions -----------------------------------------------------------
  await check('functions.invoke', async () => {
    const data = noError(await client.functions.invoke('features', { method: 'GET' }), 'invoke');
    expect(data && data.tier, `a tier, got ${JSON.stringify(data)}`);
    return `tier ${data.tier}`;
  });
  await check('functions.invoke.delete_account', async () => {
    const data = noError(await client.functions.invoke('delete-account', { body: {} }), 'invoke');
    expect(data && data.deleted === true, 'deleted');
    const gone = await admin.auth.admin.getUserById(userId);
    expect(gone.error && gone.error.status === 404, 'the account is gone');
    created.splice(created.indexOf(userId), 1);
    return 'deleted';
  });
}

main()
  .catch((error) => record('script', false, error && error.stack ? error.stack : error))
  .finally(async () => {
    for (const id of created) await admin.auth.admin.deleteUser(id);
    const failed = results.filter((r) => !r.ok).length;
    process.stdout.write(JSON.stringify({ summary: { passed: results.length - failed, failed } }) + '\n');
    process.exit(failed === 0 ? 0 : 1);
  });
