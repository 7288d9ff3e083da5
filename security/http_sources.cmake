# The HTTP families of the security suite (headers, CORS, JWT/authz, rate
# limits), added to golive_security by the last lines of CMakeLists.txt.
list(APPEND GOLIVE_SECURITY_HTTP_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/http_probe_support.cpp
  ${CMAKE_CURRENT_LIST_DIR}/header_probe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cors_probe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/authz_probe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rate_limit_probe.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_security_suite.cpp
)
