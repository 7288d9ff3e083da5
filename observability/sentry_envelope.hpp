// Sentry's ingest wire format, as its SDKs send it (develop.sentry.dev,
// "Envelopes" and "Authentication"):
//
//   POST /api/<project>/envelope/   one JSON header line, then items: an item
//                                   header line {"type": "event", "length": N}
//                                   and its payload (N bytes, or up to the
//                                   next newline when "length" is absent)
//   POST /api/<project>/store/      the legacy endpoint: the event JSON itself
//
// The DSN's public key arrives in X-Sentry-Auth ("Sentry sentry_key=<key>,
// sentry_version=7, ..."), in the query (?sentry_key=<key>, what the
// JavaScript SDKs send) or in the envelope header's "dsn". Bodies may be
// gzip- or deflate-compressed (Content-Encoding).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace golive::observability {

struct EnvelopeItem {
  nlohmann::json header;   // {"type": ..., "length": ...}
  std::string payload;     // raw bytes
  std::string type() const;
};

struct Envelope {
  nlohmann::json header;   // {"event_id", "dsn", "sent_at", "sdk", ...}
  std::vector<EnvelopeItem> items;
};

// Parses an envelope; std::nullopt with `error` set when it is malformed.
std::optional<Envelope> parse_envelope(std::string_view body, std::string& error);

// The events of an envelope (items of type "event", and "transaction" is not
// an error so it is left out), each parsed; malformed payloads are skipped
// and named in `error`.
std::vector<nlohmann::json> envelope_events(const Envelope& envelope, std::string& error);

// sentry_key from an X-Sentry-Auth header value ("" when absent).
std::string sentry_key_from_auth_header(std::string_view header);
// sentry_key from a raw query string ("" when absent).
std::string sentry_key_from_query(std::string_view query);
// The public key of a DSN "<scheme>://<key>[:<secret>]@<host>/<project>" ("" when malformed).
std::string sentry_key_from_dsn(std::string_view dsn);
// The project id of a DSN ("" when malformed).
std::string sentry_project_from_dsn(std::string_view dsn);

// Inflates a gzip or zlib/deflate body; std::nullopt (with `error`) when it
// is corrupt or would exceed `max_bytes`.
std::optional<std::string> inflate_body(std::string_view body, std::size_t max_bytes,
                                        std::string& error);
// Compresses with gzip (for tests and for senders).
std::string gzip_body(std::string_view body);

}  // namespace golive::observability
