// `golive probe storage`: the storage API (Supabase /storage/v1 shape) keeps
// files private, signed URLs short-lived, and uploads limited.
//
// Two throw-away users A and B are signed up (or, with signup disabled, the
// first two auth.test_users log in); A uploads a small text object to
// <bucket>/<A's id>/golive-probe-<hex>.txt. Then:
//   security.storage.bucket_private.anon_read      GET object without a user token is denied
//   security.storage.bucket_private.public_url     GET object/public/... is denied (private bucket)
//   security.storage.cross_user.read               B's GET of A's object is denied
//   security.storage.cross_user.sign               B cannot mint a signed URL for A's object
//   security.storage.cross_user.delete             B cannot delete A's object
//   security.storage.signed_url.valid_before_expiry  A's signed URL (expiresIn: 2 s) serves the
//   object security.storage.signed_url.expires            the same URL is refused once it has
//   expired security.storage.upload_type.html              text/html with a <script> is refused
//   security.storage.upload_type.disguised_executable  a PE executable sent as image/png is refused
//   security.storage.upload_size.over_limit        an 11 MiB upload (limit 10 MiB) is refused
// "Denied" means the object's bytes were not served: a non-2xx answer, or a
// 2xx without the object's content. Every object the probe managed to
// create is deleted and so are the users it made (security.storage.cleanup
// is recorded only when that fails).
//
// Environment section (all optional), env.sections["security"]["storage"]:
//   {"bucket": "uploads",                     a private bucket the users may write to
//    "signed_url_expires_in_s": 2,            expiry asked for (1..30 s)
//    "expiry_grace_ms": 1100,                 waited past expiresAt (the server's clock
//                                             ticks in whole seconds)
//    "max_expiry_wait_s": 10,                 upper bound of that wait (1..60 s); a URL
//                                             living longer fails signed_url.expires
//    "max_upload_bytes": 10485760,            the upload limit the policy promises
//    "oversize_upload_bytes": 11534336}       the over-limit upload sent (> max_upload_bytes)
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "config/environment.hpp"
#include "core/result_stream.hpp"
#include "security/http_probe_support.hpp"

namespace golive::security {

struct StorageSettings {
  std::string bucket = "uploads";
  int signed_url_expires_in_s = 2;               // seconds asked for in POST object/sign
  std::chrono::milliseconds expiry_grace{1100};  // waited past the URL's expiresAt
  std::chrono::seconds max_expiry_wait{10};      // bound on the whole wait for expiry
  std::size_t max_upload_bytes =
      std::size_t{10} * 1024 * 1024;  // bytes the target must accept at most
  std::size_t oversize_upload_bytes =
      std::size_t{11} * 1024 * 1024;  // bytes of the upload that must be refused
};

// Throws core::InputError naming the env file and the JSON pointer.
StorageSettings read_storage_settings(const config::Environment& env);

void run_storage_probe(const ProbeClient& client, const StorageSettings& settings,
                       core::ResultSink& sink);

}  // namespace golive::security
