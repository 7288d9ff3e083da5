#include "config/tls_settings.hpp"

#include <filesystem>
#include <fstream>

namespace golive::config {
namespace {

// Resolves `key` (a path) against the environment file's folder and checks
// that it can be opened for reading.
std::string readable_path(core::JsonReader reader, const std::string& key,
                          const std::string& env_file) {
  core::JsonReader value = reader.at(key);
  std::filesystem::path path = value.as_string();
  if (path.empty()) value.fail("must name a file");
  if (path.is_relative()) path = std::filesystem::path(env_file).parent_path() / path;
  std::ifstream in(path);
  if (!in) value.fail("cannot read " + path.string());
  return path.string();
}

}  // namespace

TlsSettings read_tls_settings(core::JsonReader reader, const std::string& env_file, bool production) {
  reader.as_object();
  reader.reject_unknown_keys({"$comment", "ca_file", "client_cert", "client_key", "insecure",
                              "min_version"});
  TlsSettings tls;
  if (reader.has("ca_file")) tls.ca_file = readable_path(reader, "ca_file", env_file);
  if (reader.has("client_cert")) tls.client_cert = readable_path(reader, "client_cert", env_file);
  if (reader.has("client_key")) tls.client_key = readable_path(reader, "client_key", env_file);
  if (tls.client_cert.empty() != tls.client_key.empty()) {
    reader.at(tls.client_cert.empty() ? "client_key" : "client_cert")
        .fail("client_cert and client_key go together");
  }
  tls.insecure = reader.bool_or("insecure", false);
  if (tls.insecure && production) {
    reader.at("insecure").fail(
        "insecure (no certificate verification) is refused for a production environment");
  }
  if (reader.has("min_version")) {
    tls.min_version = reader.at("min_version").as_string();
    if (tls.min_version != "1.2" && tls.min_version != "1.3") {
      reader.at("min_version").fail("must be \"1.2\" or \"1.3\"");
    }
  }
  return tls;
}

}  // namespace golive::config
