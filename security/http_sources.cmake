# The HTTP families of the security suite (headers, CORS, JWT/authz, rate
# limits, injection), added to golive_security by the last lines of CMakeLists.txt.
list(APPEND GOLIVE_SECURITY_HTTP_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/http_probe_support.cpp
  ${CMAKE_CURRENT_LIST_DIR}/header_probe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cors_probe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/authz_probe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rate_limit_probe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/storage_probe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/secret_scanner.cpp
  ${CMAKE_CURRENT_LIST_DIR}/secret_sources.cpp
  ${CMAKE_CURRENT_LIST_DIR}/secrets_probe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/injection_settings.cpp
  ${CMAKE_CURRENT_LIST_DIR}/injection_signals.cpp
  ${CMAKE_CURRENT_LIST_DIR}/injection_probe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sql_injection_probe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/stored_xss_probe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ai_injection_probe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_security_suite.cpp
)
