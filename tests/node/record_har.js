// Records a HAR 1.2 file of a user's session on the embedded reference target
// with a real browser: playwright-core drives Debian's Chromium
// (/usr/bin/chromium) with recordHar, opens the web sign-in page, then signs
// up, signs in, reads its user, creates a course with a topic, lists, renames
// and deletes it through the API from that page, as a single-page app would,
// and finally signs in through the web form (CSRF field, session cookie).
// The HAR is what golive's importer is proven on (tests/data/import/).
//
//   node tests/node/record_har.js OUT.har
//     GOLIVE_REF_BASE_URL, GOLIVE_REF_ANON_KEY   the target (scripts/reference-env env)
//     GOLIVE_REF_CAPTCHA_TOKEN                   default golive-captcha-ok
//     CHROMIUM                                   default /usr/bin/chromium
//
// Nothing in the HAR is redacted here: the anon key, the password and the
// session tokens are recorded as the browser sent them.
'use strict';

const { chromium } = require('playwright-core');

async function main() {
  const out = process.argv[2];
  const base = process.env.GOLIVE_REF_BASE_URL;
  const anonKey = process.env.GOLIVE_REF_ANON_KEY;
  if (!out || !base || !anonKey) {
    console.error('usage: GOLIVE_REF_BASE_URL=... GOLIVE_REF_ANON_KEY=... node record_har.js OUT.har');
    process.exit(2);
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ recordHar: { path: out, content: 'embed' } });
  const page = await context.newPage();
  await page.goto(base + '/web/login');
  const session = {
    anonKey,
    captcha: process.env.GOLIVE_REF_CAPTCHA_TOKEN || 'golive-captcha-ok',
    email: 'har-' + Date.now().toString(36) + '@example.test',
    password: 'har-pw-' + Math.random().toString(36).slice(2, 12),
  };
  const log = await page.evaluate(async (s) => {
    const steps = [];
    const pause = (ms) => new Promise((done) => setTimeout(done, ms));
    async function call(method, url, headers, body) {
      const init = { method, headers: Object.assign({ apikey: s.anonKey }, headers) };
      if (body !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      const response = await fetch(url, init);
      const text = await response.text();
      steps.push(method + ' ' + url + ' ' + response.status);
      await pause(150);  // a person's pace: the importer can turn the gaps into think time
      return text ? JSON.parse(text) : null;
    }
    const credentials = { email: s.email, password: s.password, captcha_token: s.captcha };
    const signup = await call('POST', '/auth/v1/signup', {}, credentials);
    const login = await call('POST', '/auth/v1/token?grant_type=password', {}, credentials);
    const bearer = { Authorization: 'Bearer ' + login.access_token };
    await call('GET', '/auth/v1/user', bearer);
    const rep = Object.assign({ Prefer: 'return=representation' }, bearer);
    const course = await call('POST', '/rest/v1/courses', rep,
                              { user_id: signup.user ? signup.user.id : signup.id, title: 'Linear algebra',
                                syllabus: 'Vectors, matrices, eigenvalues' });
    const courseId = course[0].id;
    await call('POST', '/rest/v1/topics', rep, { course_id: courseId, title: 'Vectors', position: 1 });
    await call('GET', '/rest/v1/topics?course_id=eq.' + courseId + '&select=id,title,position', bearer);
    await call('PATCH', '/rest/v1/courses?id=eq.' + courseId, rep, { title: 'Linear algebra II' });
    await call('GET', '/rest/v1/courses?id=eq.' + courseId + '&select=id,title', bearer);
    await call('DELETE', '/rest/v1/courses?id=eq.' + courseId, bearer);
    return steps;
  }, session);
  // The same user signs in through the web form (its CSRF token is a hidden
  // field, the session a cookie) and lands on the app page.
  await page.goto(base + '/web/login');
  await page.fill('input[name=email]', session.email);
  await page.fill('input[name=password]', session.password);
  await Promise.all([page.waitForURL('**/web/app'), page.click('button[type=submit]')]);
  log.push('web sign-in: ' + new URL(page.url()).pathname);
  await context.close();  // writes the HAR
  await browser.close();
  console.log(log.join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
