// A Stripe webhook receiver as a customer would write it, on Stripe's official
// Node library (stripe.webhooks.constructEvent), with a switchable mistake so
// golive's replay checks can be proven to catch it on code the team did not
// write for golive.
//
//   node tests/node/stripe_receiver.js --secret whsec_... [--variant NAME]
//
// Listens on 127.0.0.1 on a free port and prints {"port": N} on one line.
//   POST /webhook                      verifies, then applies the event
//   GET  /state/subscriptions/:id      404, or {"status", "applied", "last_event_created"}
//                                      (what golive's "http" observer reads)
//   GET  /health                       200 "ok" (plain text)
// Variants:
//   correct             verify with Stripe's default 300 s tolerance, apply each
//                       event id once, ignore events older than the applied state
//   wide-tolerance      constructEvent with a 1-day tolerance (replayed events pass)
//   unsigned-accepted   a request without Stripe-Signature skips verification
//   duplicates-applied  no idempotency: a redelivered event is applied again
//   arrival-order       events applied in arrival order, whatever their `created`
//   payment-failed-ignored
//                       invoice.payment_failed is acknowledged and not applied
'use strict';

const http = require('http');
const path = require('path');
const Stripe = require(path.join(__dirname, 'node_modules', 'stripe'));

function argument(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const secret = argument('--secret', '');
const variant = argument('--variant', 'correct');
const VARIANTS = ['correct', 'wide-tolerance', 'unsigned-accepted', 'duplicates-applied',
                  'arrival-order', 'payment-failed-ignored'];
if (!secret.startsWith('whsec_') || !VARIANTS.includes(variant)) {
  process.stderr.write('usage: stripe_receiver.js --secret whsec_... [--variant ' +
                       VARIANTS.join('|') + ']\n');
  process.exit(2);
}

// The API key is required by the constructor and never used: no request leaves.
const stripe = new Stripe('sk_test_golive_receiver_offline');
const subscriptions = new Map();  // subscription id -> {status, applied, last_event_created}
const seenEvents = new Set();

function verify(rawBody, signature) {
  if (variant === 'unsigned-accepted' && !signature) return JSON.parse(rawBody.toString('utf8'));
  const tolerance = variant === 'wide-tolerance' ? 24 * 3600 : undefined;  // seconds
  return stripe.webhooks.constructEvent(rawBody, signature, secret, tolerance);
}

function apply(subscriptionId, status, created) {
  if (!subscriptionId) return;
  const current = subscriptions.get(subscriptionId);
  if (current && variant !== 'arrival-order' && created < current.last_event_created) return;
  subscriptions.set(subscriptionId, {
    status,
    applied: (current ? current.applied : 0) + 1,
    last_event_created: created,
  });
}

// Since API 2025-03-31.basil an invoice names its subscription under
// parent.subscription_details.
function invoiceSubscription(invoice) {
  const details = invoice.parent && invoice.parent.subscription_details;
  return (details && details.subscription) || invoice.subscription;
}

function handle(event) {
  if (variant !== 'duplicates-applied') {
    if (seenEvents.has(event.id)) return;
    seenEvents.add(event.id);
  }
  const object = event.data.object;
  switch (event.type) {
    case 'checkout.session.completed':
      apply(object.subscription, 'active', event.created);
      break;
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
      apply(object.id, object.status, event.created);
      break;
    case 'invoice.payment_failed':
      if (variant === 'payment-failed-ignored') break;
      apply(invoiceSubscription(object), 'past_due', event.created);
      break;
    case 'invoice.payment_succeeded':
      apply(invoiceSubscription(object), 'active', event.created);
      break;
    default:
      break;  // acknowledged, ignored
  }
}

function send(response, status, body) {
  response.writeHead(status, {'Content-Type': 'application/json'});
  response.end(JSON.stringify(body));
}

const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const url = new URL(request.url, 'http://127.0.0.1');
    const state = url.pathname.match(/^\/state\/subscriptions\/([^/]+)$/);
    if (request.method === 'GET' && url.pathname === '/health') {
      response.writeHead(200, {'Content-Type': 'text/plain'});
      return response.end('ok');
    }
    if (request.method === 'GET' && state) {
      const found = subscriptions.get(decodeURIComponent(state[1]));
      return found ? send(response, 200, found) : send(response, 404, {error: 'not found'});
    }
    if (request.method !== 'POST' || url.pathname !== '/webhook') {
      return send(response, 404, {error: 'not found'});
    }
    let event;
    try {
      event = verify(Buffer.concat(chunks), request.headers['stripe-signature']);
    } catch (error) {
      return send(response, 400, {error: String(error.message)});
    }
    handle(event);
    return send(response, 200, {received: true});
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({port: server.address().port, variant}) + '\n');
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
