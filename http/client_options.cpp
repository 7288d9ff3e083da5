#include "http/client_options.hpp"

namespace golive::http {

ClientOptions client_options_for(const config::Environment& env) {
  ClientOptions options;
  options.host_policy = env.host_policy ? env.host_policy
                                        : config::HostPolicy::for_target(env.base_url,
                                                                         env.safety.allowed_hosts);
  options.tls = env.tls;
  // "http": {"request_id_header": false}, validated when the environment loaded.
  if (const auto http = env.sections.find("http"); http != env.sections.end() && http->second.is_object()) {
    options.request_id_header = http->second.value("request_id_header", true);
  }
  return options;
}

}  // namespace golive::http
