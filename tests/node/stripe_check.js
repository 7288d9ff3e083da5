// Runs golive's Stripe-Signature cross-check cases through the official
// stripe-node library and prints its verdicts as one JSON document.
//
//   node tests/node/stripe_check.js cases.json      (or the cases on stdin)
//
// Input:  {"verify":   [{name, payload, header, secret, tolerance_s, now_unix}],
//          "generate": [{name, payload, secret, timestamp, scheme?}]}
// Output: {"stripe_version": "...",
//          "verify":   [{name, ok, error_kind, message}],
//          "generate": [{name, header}]}
// error_kind uses golive's StripeVerifyError names (missing_header,
// malformed_header, no_v1_signature, signature_mismatch,
// timestamp_outside_tolerance) so the C++ side can compare them directly.
// No network request is made: only the offline webhook helpers are used.
'use strict';

const fs = require('fs');
const path = require('path');
const Stripe = require('stripe');

// An API key is required by the constructor; it is never sent anywhere.
const stripe = new Stripe('sk_test_golive_crosscheck_offline');

// stripe-node reports every verification failure as a
// StripeSignatureVerificationError whose message names the cause.
const ERROR_KINDS = [
  ['No stripe-signature header value was provided', 'missing_header'],
  ['Unable to extract timestamp and signatures from header', 'malformed_header'],
  ['No signatures found with expected scheme', 'no_v1_signature'],
  ['No signatures found matching the expected signature', 'signature_mismatch'],
  ['Timestamp outside the tolerance zone', 'timestamp_outside_tolerance'],
  ['No webhook payload was provided', 'missing_payload'],
];

function classify(error) {
  const message = String(error && error.message);
  for (const [prefix, kind] of ERROR_KINDS) {
    if (message.startsWith(prefix)) return kind;
  }
  return 'other';
}

function verifyCase(item) {
  try {
    // receivedAt is in milliseconds; it pins "now" so the run is deterministic.
    stripe.webhooks.constructEvent(item.payload, item.header, item.secret, item.tolerance_s,
                                   undefined, item.now_unix * 1000);
    return {name: item.name, ok: true, error_kind: null, message: ''};
  } catch (error) {
    return {name: item.name, ok: false, error_kind: classify(error), message: String(error.message)};
  }
}

function generateCase(item) {
  const options = {payload: item.payload, secret: item.secret, timestamp: item.timestamp};
  if (item.scheme) options.scheme = item.scheme;
  return {name: item.name, header: stripe.webhooks.generateTestHeaderString(options)};
}

function readCases() {
  const file = process.argv[2];
  const text = file && file !== '-' ? fs.readFileSync(file, 'utf8') : fs.readFileSync(0, 'utf8');
  return JSON.parse(text);
}

function stripeVersion() {
  const manifest = path.join(__dirname, 'node_modules', 'stripe', 'package.json');
  return JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
}

const cases = readCases();
process.stdout.write(JSON.stringify({
  stripe_version: stripeVersion(),
  verify: (cases.verify || []).map(verifyCase),
  generate: (cases.generate || []).map(generateCase),
}) + '\n');
