// Sends two errors through Sentry's official Node SDK (@sentry/node) to a DSN,
// for golive's Sentry sink test (tests/integration/observability/sentry_sdk_test.cpp):
// a plain one with the seed's context (user.id, course_id tag, environment,
// release), and one whose extra data is past the SDK's 32 KiB gzip threshold,
// so the SDK compresses it. Prints {"event_ids": [...]} when both are flushed.
//
//   node sentry_send.js --dsn http://<key>@127.0.0.1:<port>/1 --user-id U --course-id C
const Sentry = require("@sentry/node");

function arg(name) {
  const at = process.argv.indexOf("--" + name);
  if (at < 0 || at + 1 >= process.argv.length) throw new Error("--" + name + " is required");
  return process.argv[at + 1];
}

async function main() {
  Sentry.init({
    dsn: arg("dsn"),
    environment: "sdk-test",
    release: "golive-sdk-check@1.0.0",
    defaultIntegrations: false,  // no process handlers or outgoing-request tracing in a test script
    tracesSampleRate: 0,
  });
  Sentry.setUser({ id: arg("user-id") });
  Sentry.setTag("course_id", arg("course-id"));
  const ids = [];
  try {
    throw new Error("golive sentry sdk check: dead-lettered job");
  } catch (error) {
    ids.push(Sentry.captureException(error));
  }
  Sentry.withScope((scope) => {
    scope.setExtra("large", "x".repeat(40 * 1024));
    ids.push(Sentry.captureException(new Error("golive sentry sdk check: large event")));
  });
  const flushed = await Sentry.flush(10000);
  process.stdout.write(JSON.stringify({ event_ids: ids, flushed }) + "\n");
  process.exit(flushed ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack || error) + "\n");
  process.exit(2);
});
