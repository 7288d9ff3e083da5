// TlsSettings: how golive verifies (and presents itself to) an https://
// target, from the environment's "tls" section:
//   "tls": {"ca_file": "certs/staging-ca.pem", "client_cert": "certs/golive.pem",
//           "client_key": "certs/golive.key", "insecure": false, "min_version": "1.2"}
// Relative paths resolve against the environment file's folder. Every file
// must be readable when the environment loads. `insecure` turns certificate
// and host-name verification off; it is refused for a production environment
// and every report says that verification was off.
#pragma once

#include <string>

#include "core/input_error.hpp"

namespace golive::config {

struct TlsSettings {
  std::string ca_file;      // PEM bundle of trusted CAs; empty = the system store
  std::string client_cert;  // PEM client certificate (mutual TLS); empty = none
  std::string client_key;   // PEM private key of client_cert
  bool insecure = false;    // skip verification; never a default, never in production
  std::string min_version;  // "1.2" or "1.3"; empty = the TLS library's default

  bool configured() const {
    return !ca_file.empty() || !client_cert.empty() || insecure || !min_version.empty();
  }
};

// Reads and validates the "tls" object at `reader` (an InputError names the
// file and the key on a bad value, a missing file or insecure in production).
TlsSettings read_tls_settings(core::JsonReader reader, const std::string& env_file, bool production);

}  // namespace golive::config
