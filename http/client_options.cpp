#include "http/client_options.hpp"

namespace golive::http {

ClientOptions client_options_for(const config::Environment& env) {
  ClientOptions options;
  options.host_policy = env.host_policy ? env.host_policy
                                        : config::HostPolicy::for_target(env.base_url,
                                                                         env.safety.allowed_hosts);
  options.tls = env.tls;
  return options;
}

}  // namespace golive::http
