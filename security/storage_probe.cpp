#include "security/storage_probe.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <thread>
#include <vector>

#include "target/crypto.hpp"
#include "core/input_error.hpp"
#include "core/interrupt.hpp"
#include "http/request_evidence.hpp"

namespace golive::security {

namespace {

using core::Severity;
using Clock = std::chrono::system_clock;

constexpr std::chrono::milliseconds kSleepSlice{100};  // interrupt latency while waiting

bool accepted(const http::HttpResponse& response) {
  return response.transport_ok() && response.status / 100 == 2;
}

// Supabase Storage's "not found": HTTP 400 with {"statusCode": "404"}.
bool storage_not_found(const http::HttpResponse& response) {
  if (!response.transport_ok() || response.status != 400) return false;
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object() || !body.contains("statusCode")) return false;
  const auto& code = body["statusCode"];
  return (code.is_string() && code.get<std::string>() == "404") ||
         (code.is_number() && code.get<int>() == 404);
}

// "2.6" for 2.61 seconds.
std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", seconds);
  return text;
}

std::int64_t unix_ms(Clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

struct StorageContext {
  const ProbeClient& client;
  const StorageSettings& settings;
  core::ResultSink& sink;
  ProbeUser a;
  ProbeUser b;
  std::string object_name;           // A's probe object, "<A's id>/golive-probe-<hex>.txt"
  std::string content;               // its bytes: a marker no other object carries
  std::vector<std::string> created;  // names of A's objects the target stored

  std::string object_path(const std::string& name) const {
    return client.env().paths.storage + "/object/" + settings.bucket + "/" + name;
  }
  std::string public_path(const std::string& name) const {
    return client.env().paths.storage + "/object/public/" + settings.bucket + "/" + name;
  }
  std::string sign_path(const std::string& name) const {
    return client.env().paths.storage + "/object/sign/" + settings.bucket + "/" + name;
  }
  // True when a response handed out A's probe object.
  bool served_object(const http::HttpResponse& response) const {
    return accepted(response) && response.body.find(content) != std::string::npos;
  }
};

http::HttpRequest upload_request(const StorageContext& ctx, const std::string& name,
                                 const std::string& content_type, std::string body) {
  http::HttpRequest request = ctx.client.request("POST", ctx.object_path(name));
  request.headers.emplace_back("Authorization", "Bearer " + ctx.a.access_token);
  request.headers.emplace_back("Content-Type", content_type);
  request.body = std::move(body);
  return request;
}

// GET of a signed URL as the target returned it: an absolute URL, a path
// below base_url, or (Supabase's own shape) a path below the storage prefix.
http::HttpRequest signed_request(const StorageContext& ctx, const std::string& signed_url) {
  const std::string& storage = ctx.client.env().paths.storage;
  std::string path = signed_url;
  if (signed_url.rfind("/object/", 0) == 0) path = storage + signed_url;
  http::HttpRequest request = ctx.client.request("GET", path);
  if (signed_url.rfind("http://", 0) == 0 || signed_url.rfind("https://", 0) == 0) {
    request.url = signed_url;
  }
  return request;
}

// A signed URL's download as curl: the URL's token is a credential to the
// object, so it is a variable ($GOLIVE_SIGNED_URL_TOKEN) like every secret.
nlohmann::json signed_reproduction(const StorageContext& ctx, const http::HttpRequest& request) {
  http::ReproductionSecrets secrets(ctx.client.env(), core::Redactor::global());
  const auto at = request.url.find("token=");
  if (at != std::string::npos) {
    const std::size_t start = at + 6;
    const std::size_t end = request.url.find('&', start);
    secrets.add(request.url.substr(start, end == std::string::npos ? std::string::npos : end - start),
                "GOLIVE_SIGNED_URL_TOKEN",
                "the token of a signed URL the object's owner obtained (POST " +
                    ctx.sign_path(ctx.object_name) + " as the owner)");
  }
  return http::reproduction_of(request, secrets);
}

// A request that must not hand out A's object.
void expect_denied(StorageContext& ctx, const std::string& id, const std::string& title,
                   const std::string& who, const std::string& token, const std::string& path) {
  CheckBuilder check(id, title, Severity::kCritical);
  const http::HttpRequest request = ctx.client.request_as(token, "GET", path);
  check.reproduce(ctx.client.reproduction(request));
  const auto response = ctx.client.send(request);
  const nlohmann::json evidence = {
      {"request", "GET " + path}, {"as", who}, {"response", response_excerpt(response)}};
  if (!response.transport_ok()) {
    ctx.sink.record(check.error("the request failed: " + response.error_message, evidence));
  } else if (ctx.served_object(response)) {
    ctx.sink.record(check.fail(
        who + " downloaded A's private object (status " + std::to_string(response.status) + ")",
        evidence));
  } else if (response.status >= 500) {
    ctx.sink.record(check.error(
        "the target answered " + std::to_string(response.status) + " instead of refusing",
        evidence));
  } else {
    ctx.sink.record(check.pass("denied with status " + std::to_string(response.status), evidence));
  }
}

void probe_cross_user_sign(StorageContext& ctx) {
  CheckBuilder check("security.storage.cross_user.sign",
                     "A user cannot mint a signed URL for another user's object",
                     Severity::kCritical);
  const std::string path = ctx.sign_path(ctx.object_name);
  const http::HttpRequest request =
      ctx.client.request_as(ctx.b.access_token, "POST", path, R"({"expiresIn":60})");
  check.reproduce(ctx.client.reproduction(request));
  const auto response = ctx.client.send(request);
  // A granted URL carries a token: its body is left out of the evidence.
  const nlohmann::json evidence = {
      {"request", "POST " + path},
      {"as", "user B"},
      {"response", response_excerpt(response, accepted(response) ? 0 : 200)}};
  if (!response.transport_ok()) {
    ctx.sink.record(check.error("the request failed: " + response.error_message, evidence));
  } else if (accepted(response)) {
    ctx.sink.record(check.fail(
        "B obtained a signed URL for A's object (status " + std::to_string(response.status) + ")",
        evidence));
  } else if (response.status >= 500) {
    ctx.sink.record(
        check.error("the target answered " + std::to_string(response.status), evidence));
  } else {
    ctx.sink.record(check.pass("refused with status " + std::to_string(response.status), evidence));
  }
}

void probe_cross_user_delete(StorageContext& ctx) {
  CheckBuilder check("security.storage.cross_user.delete",
                     "A user cannot delete another user's object", Severity::kCritical);
  const std::string path = ctx.object_path(ctx.object_name);
  const http::HttpRequest request = ctx.client.request_as(ctx.b.access_token, "DELETE", path);
  check.reproduce(ctx.client.reproduction(request));
  const auto response = ctx.client.send(request);
  const bool still_there = ctx.served_object(ctx.client.send_as(ctx.a.access_token, "GET", path));
  const nlohmann::json evidence = {{"request", "DELETE " + path},
                                   {"as", "user B"},
                                   {"response", response_excerpt(response)},
                                   {"object_still_readable_by_a", still_there}};
  if (!response.transport_ok()) {
    ctx.sink.record(check.error("the request failed: " + response.error_message, evidence));
  } else if (accepted(response) || !still_there) {
    ctx.sink.record(check.fail("B deleted A's object (status " + std::to_string(response.status) +
                                   ", A can still read it: " + (still_there ? "yes" : "no") + ")",
                               evidence));
  } else {
    ctx.sink.record(check.pass("refused with status " + std::to_string(response.status), evidence));
  }
}

// A signed URL minted by A, and when it must stop working.
struct SignedUrlTrial {
  std::string url;
  Clock::time_point requested_at;
  Clock::time_point check_at;  // expiry + grace, bounded by max_expiry_wait
  nlohmann::json evidence;
};

std::optional<SignedUrlTrial> probe_signed_url_before_expiry(StorageContext& ctx) {
  CheckBuilder check("security.storage.signed_url.valid_before_expiry",
                     "A signed URL serves its object before it expires", Severity::kMedium);
  SignedUrlTrial trial;
  trial.requested_at = Clock::now();
  const std::string path = ctx.sign_path(ctx.object_name);
  const nlohmann::json request = {{"expiresIn", ctx.settings.signed_url_expires_in_s}};
  const http::HttpRequest sign = ctx.client.request_as(ctx.a.access_token, "POST", path, request.dump());
  check.reproduce(ctx.client.reproduction(sign));  // replaced by the download's once there is a URL
  const auto signed_response = ctx.client.send(sign);
  const auto body = nlohmann::json::parse(signed_response.body, nullptr, false);
  trial.evidence = {{"request", "POST " + path + " " + request.dump()},
                    {"sign_response", response_excerpt(signed_response, 0)}};
  if (!accepted(signed_response) || !body.is_object() || !body.contains("signedURL") ||
      !body["signedURL"].is_string()) {
    trial.evidence["sign_response"] = response_excerpt(signed_response);
    ctx.sink.record(check.error("the owner could not get a signed URL (status " +
                                    std::to_string(signed_response.status) + ")",
                                trial.evidence));
    return std::nullopt;
  }
  trial.url = body["signedURL"].get<std::string>();
  // The URL's own expiry when the target says it; otherwise the one asked for.
  const std::int64_t asked_ms =
      unix_ms(trial.requested_at) + std::int64_t{ctx.settings.signed_url_expires_in_s} * 1000;
  std::int64_t expires_ms = asked_ms;
  if (body.contains("expiresAt") && body["expiresAt"].is_number()) {
    expires_ms = static_cast<std::int64_t>(body["expiresAt"].get<double>() * 1000);
    trial.evidence["expires_at_unix_s"] = body["expiresAt"];
  }
  const auto bound = trial.requested_at + ctx.settings.max_expiry_wait;
  trial.check_at = std::min(
      Clock::time_point(std::chrono::milliseconds(expires_ms)) + ctx.settings.expiry_grace, bound);
  trial.evidence["expires_in_asked_s"] = ctx.settings.signed_url_expires_in_s;

  const http::HttpRequest download = signed_request(ctx, trial.url);
  check.reproduce(signed_reproduction(ctx, download));
  const auto response = ctx.client.send(download);
  nlohmann::json evidence = trial.evidence;
  evidence["download"] = response_excerpt(response);
  if (!response.transport_ok()) {
    ctx.sink.record(check.error("the download failed: " + response.error_message, evidence));
    return std::nullopt;
  }
  if (!ctx.served_object(response)) {
    ctx.sink.record(check.fail("a fresh signed URL did not serve the object (status " +
                                   std::to_string(response.status) + ")",
                               evidence));
    return std::nullopt;
  }
  ctx.sink.record(check.pass("served the object before expiry", evidence));
  return trial;
}

void probe_signed_url_expiry(StorageContext& ctx, SignedUrlTrial& trial) {
  CheckBuilder check("security.storage.signed_url.expires",
                     "A signed URL stops working once it has expired", Severity::kHigh);
  while (Clock::now() < trial.check_at && !core::interrupted()) {
    std::this_thread::sleep_for(
        std::min<Clock::duration>(kSleepSlice, trial.check_at - Clock::now()));
  }
  if (core::interrupted()) return;
  const double waited_s = std::chrono::duration<double>(Clock::now() - trial.requested_at).count();
  const http::HttpRequest download = signed_request(ctx, trial.url);
  check.reproduce(signed_reproduction(ctx, download));
  const auto response = ctx.client.send(download);
  nlohmann::json evidence = trial.evidence;
  evidence["waited_s"] = waited_s;
  evidence["download_after_expiry"] = response_excerpt(response);
  if (!response.transport_ok()) {
    ctx.sink.record(check.error("the download failed: " + response.error_message, evidence));
  } else if (ctx.served_object(response)) {
    ctx.sink.record(check.fail("the URL still served the object " + seconds_text(waited_s) +
                                   " s after it was asked to expire in " +
                                   std::to_string(ctx.settings.signed_url_expires_in_s) + " s",
                               evidence));
  } else if (response.status >= 500) {
    ctx.sink.record(
        check.error("the target answered " + std::to_string(response.status), evidence));
  } else {
    ctx.sink.record(check.pass("refused with status " + std::to_string(response.status) +
                                   " after " + seconds_text(waited_s) + " s",
                               evidence));
  }
}

// What a store did with an upload it should refuse.
enum class UploadVerdict { kRefused, kStored, kUndecided };

// An upload the policy must refuse; a stored one is remembered for cleanup.
// Any 4xx is a refusal (Supabase Storage answers 400 with the real code in
// the body's statusCode). `stored_reason` replaces the failure message and
// `stored_severity` the check's severity when the store accepted it.
UploadVerdict expect_upload_refused(StorageContext& ctx, const std::string& id,
                                    const std::string& title, const std::string& what,
                                    const std::string& extension, const std::string& content_type,
                                    std::string body, Severity stored_severity = Severity::kHigh,
                                    const std::string& stored_reason = "") {
  CheckBuilder check(id, title, Severity::kHigh);
  const std::string name = ctx.a.id + "/golive-probe-" + core::random_hex(6) + extension;
  const std::size_t bytes = body.size();
  const http::HttpRequest request = upload_request(ctx, name, content_type, std::move(body));
  check.reproduce(ctx.client.reproduction(request));
  const auto response = ctx.client.send(request);
  const nlohmann::json evidence = {{"request", "POST " + ctx.object_path(name)},
                                   {"content_type", content_type},
                                   {"bytes", bytes},
                                   {"response", response_excerpt(response)}};
  if (accepted(response)) ctx.created.push_back(name);
  if (!response.transport_ok()) {
    ctx.sink.record(check.error("the upload failed: " + response.error_message, evidence));
    return UploadVerdict::kUndecided;
  }
  if (accepted(response)) {
    core::CheckResult finding = check.fail("the target stored " + what + " (status " +
                                               std::to_string(response.status) + ")" +
                                               (stored_reason.empty() ? "" : ": " + stored_reason),
                                           evidence);
    finding.severity = stored_severity;
    ctx.sink.record(std::move(finding));
    return UploadVerdict::kStored;
  }
  if (response.status >= 500) {
    ctx.sink.record(check.error(
        "the target answered " + std::to_string(response.status) + " instead of refusing",
        evidence));
    return UploadVerdict::kUndecided;
  }
  std::string code;
  const auto refusal = nlohmann::json::parse(response.body, nullptr, false);
  if (refusal.is_object() && refusal.contains("statusCode")) {
    code = ", statusCode " + (refusal["statusCode"].is_string()
                                   ? refusal["statusCode"].get<std::string>()
                                   : refusal["statusCode"].dump());
  }
  ctx.sink.record(
      check.pass("refused with status " + std::to_string(response.status) + code, evidence));
  return UploadVerdict::kRefused;
}

void probe_upload_limits(StorageContext& ctx) {
  const UploadVerdict html = expect_upload_refused(ctx, "security.storage.upload_type.html",
                        "Uploads of a type outside the allowed list (HTML) are refused",
                        "an HTML page with a script", ".html", "text/html",
                        "<!doctype html><html><body><script>alert(document.cookie)</script>"
                        "</body></html>\n");
  if (core::interrupted()) return;
  // A PE executable ("MZ" header, DOS stub) declared as a PNG image.
  std::string executable("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00", 16);
  executable += std::string(48, '\0');
  executable += "This program cannot be run in DOS mode.\r\r\n$";
  // A store that refused the HTML type validates declared types; accepting
  // the disguised executable then means it does not inspect content, as
  // Supabase Storage (allowed_mime_types) does not. That is a real but lesser
  // finding than a store that checks nothing, and the message says which.
  const bool declared_type_only = html == UploadVerdict::kRefused;
  expect_upload_refused(
      ctx, "security.storage.upload_type.disguised_executable",
      "An executable disguised as an image is refused (content is checked)",
      "an executable declared as image/png", ".png", "image/png", std::move(executable),
      declared_type_only ? Severity::kMedium : Severity::kHigh,
      declared_type_only
          ? "the store validates only the declared Content-Type and does not inspect content "
            "(as Supabase Storage's allowed_mime_types), so a file's bytes may differ from its "
            "type; serve uploads as attachments with X-Content-Type-Options: nosniff or check "
            "magic bytes in the app"
          : "");
  if (core::interrupted()) return;
  // Valid UTF-8 text of an allowed type: only its size may make it refused.
  expect_upload_refused(
      ctx, "security.storage.upload_size.over_limit", "Uploads larger than the limit are refused",
      "an upload of " + std::to_string(ctx.settings.oversize_upload_bytes) + " bytes (limit " +
          std::to_string(ctx.settings.max_upload_bytes) + " bytes)",
      ".txt", "text/plain", std::string(ctx.settings.oversize_upload_bytes, 'a'));
}

void clean_up(StorageContext& ctx) {
  std::vector<std::string> left_behind;
  for (const auto& name : ctx.created) {
    const auto response = ctx.client.send_as(ctx.a.access_token, "DELETE", ctx.object_path(name));
    // 404 (Supabase Storage: 400 with statusCode "404"): already gone (e.g.
    // B's delete went through, which its check reported).
    if (!response.transport_ok() ||
        (response.status / 100 != 2 && response.status != 404 && !storage_not_found(response))) {
      left_behind.push_back("object " + ctx.settings.bucket + "/" + name);
    }
  }
  for (const ProbeUser* user : {&ctx.a, &ctx.b}) {
    if (user->created_here && !user->access_token.empty() &&
        !delete_probe_user(ctx.client, *user)) {
      left_behind.push_back(user->email);
    }
  }
  if (!left_behind.empty()) {
    CheckBuilder cleanup("security.storage.cleanup", "Probe objects and users are deleted",
                         Severity::kLow);
    ctx.sink.record(
        cleanup.error("could not delete what the probe created", {{"left_behind", left_behind}}));
  }
}

}  // namespace

StorageSettings read_storage_settings(const config::Environment& env) {
  StorageSettings settings;
  const auto section = env.sections.find("security");
  if (section == env.sections.end() || section->second.is_null()) return settings;
  const core::JsonReader root(section->second, env.source_file, "/security");
  root.as_object();
  if (!root.has("storage")) return settings;
  const core::JsonReader storage = root.at("storage");
  storage.reject_unknown_keys({"bucket", "signed_url_expires_in_s", "expiry_grace_ms",
                               "max_expiry_wait_s", "max_upload_bytes", "oversize_upload_bytes"});
  const auto bounded = [&storage](const char* key, std::int64_t low, std::int64_t high,
                                  std::int64_t fallback) {
    if (!storage.has(key)) return fallback;
    const std::int64_t value = storage.at(key).as_integer();
    if (value < low || value > high) {
      storage.at(key).fail("must be between " + std::to_string(low) + " and " +
                           std::to_string(high));
    }
    return value;
  };
  settings.bucket = storage.string_or("bucket", settings.bucket);
  if (settings.bucket.empty() || settings.bucket.find('/') != std::string::npos) {
    storage.at("bucket").fail("a bucket id is a non-empty name without '/'");
  }
  settings.signed_url_expires_in_s =
      static_cast<int>(bounded("signed_url_expires_in_s", 1, 30, settings.signed_url_expires_in_s));
  settings.expiry_grace = std::chrono::milliseconds(
      bounded("expiry_grace_ms", 0, 10000, settings.expiry_grace.count()));
  settings.max_expiry_wait =
      std::chrono::seconds(bounded("max_expiry_wait_s", 1, 60, settings.max_expiry_wait.count()));
  constexpr std::int64_t kMaxUploadProbe =
      std::int64_t{64} * 1024 * 1024;  // bytes; the probe's own bound
  settings.max_upload_bytes =
      static_cast<std::size_t>(bounded("max_upload_bytes", 1, kMaxUploadProbe - 1,
                                       static_cast<std::int64_t>(settings.max_upload_bytes)));
  settings.oversize_upload_bytes =
      static_cast<std::size_t>(bounded("oversize_upload_bytes", 2, kMaxUploadProbe,
                                       static_cast<std::int64_t>(settings.oversize_upload_bytes)));
  if (settings.oversize_upload_bytes <= settings.max_upload_bytes) {
    storage.at(storage.has("oversize_upload_bytes") ? "oversize_upload_bytes" : "max_upload_bytes")
        .fail("oversize_upload_bytes must exceed max_upload_bytes");
  }
  if (std::chrono::seconds(settings.signed_url_expires_in_s) >= settings.max_expiry_wait) {
    storage.at(storage.has("max_expiry_wait_s") ? "max_expiry_wait_s" : "signed_url_expires_in_s")
        .fail("max_expiry_wait_s must exceed signed_url_expires_in_s");
  }
  return settings;
}

void run_storage_probe(const ProbeClient& client, const StorageSettings& settings,
                       core::ResultSink& sink) {
  CheckBuilder setup("security.storage.setup",
                     "Two probe users exist and one uploaded a private object", Severity::kHigh);
  std::optional<ProbeUserPair> users = probe_user_pair_or_record(
      client, setup,
      "set auth (kind \"tokens\" with auth.tokens, or test_users) and security.storage.bucket "
      "to probe this target's storage",
      sink);
  if (!users) return;
  StorageContext ctx{client, settings, sink, users->a, users->b, "", "", {}};
  ctx.object_name = ctx.a.id + "/golive-probe-" + core::random_hex(6) + ".txt";
  ctx.content = "golive storage probe " + core::random_hex(12) + "\n";
  const http::HttpRequest upload = upload_request(ctx, ctx.object_name, "text/plain", ctx.content);
  setup.reproduce(client.reproduction(upload));
  const auto uploaded = client.send(upload);
  if (accepted(uploaded)) ctx.created.push_back(ctx.object_name);
  const bool readable =
      accepted(uploaded) && ctx.served_object(client.send_as(ctx.a.access_token, "GET",
                                                             ctx.object_path(ctx.object_name)));
  if (!readable && uploaded.transport_ok() && (uploaded.status == 404 || uploaded.status == 405)) {
    sink.record(setup.skip("POST " + ctx.object_path(ctx.object_name) + " answered " +
                               std::to_string(uploaded.status) +
                               ": the target has no such storage API (paths.storage and "
                               "security.storage.bucket name it)",
                           {{"response", response_excerpt(uploaded)}}));
  } else if (!readable) {
    sink.record(setup.error(accepted(uploaded)
                                ? "the owner cannot read back its upload"
                                : "the owner's upload of a small text file was refused",
                            {{"request", "POST " + ctx.object_path(ctx.object_name)},
                             {"response", response_excerpt(uploaded)}}));
  } else {
    const std::string path = ctx.object_path(ctx.object_name);
    expect_denied(ctx, "security.storage.bucket_private.anon_read",
                  "Objects of a private bucket are not served without a user token",
                  "an anonymous client", "", path);
    if (!core::interrupted()) {
      expect_denied(ctx, "security.storage.bucket_private.public_url",
                    "Objects of a private bucket are not served by the public URL",
                    "an anonymous client", "", ctx.public_path(ctx.object_name));
    }
    if (!core::interrupted()) {
      expect_denied(ctx, "security.storage.cross_user.read",
                    "A user cannot download another user's object", "user B", ctx.b.access_token,
                    path);
    }
    if (!core::interrupted()) probe_cross_user_sign(ctx);
    std::optional<SignedUrlTrial> trial;
    if (!core::interrupted()) trial = probe_signed_url_before_expiry(ctx);
    // The upload probes run while the signed URL ages.
    if (!core::interrupted()) probe_upload_limits(ctx);
    if (trial && !core::interrupted()) probe_signed_url_expiry(ctx, *trial);
    // Last: when it wrongly succeeds, the object is gone.
    if (!core::interrupted()) probe_cross_user_delete(ctx);
  }
  clean_up(ctx);
}

}  // namespace golive::security
