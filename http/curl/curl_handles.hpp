// RAII owners for libcurl's C handles. Every CURL*, CURLM* and curl_slist* in
// golive lives in exactly one of these, so no early return can leak one and no
// code path frees one twice.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <stdexcept>

namespace golive::http {

struct CurlEasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

using CurlEasyHandle = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMultiHandle = std::unique_ptr<CURLM, CurlMultiDeleter>;
using CurlHeaderList = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// curl_global_init is not thread-safe and must run before the first handle
// exists anywhere in the process. A function-local static gives exactly-once
// initialisation even when several engine threads start together; the
// matching cleanup runs at process exit.
inline void ensure_curl_global_init() {
  struct GlobalInit {
    GlobalInit() {
      if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        throw std::runtime_error("curl_global_init failed");
      }
    }
    ~GlobalInit() { curl_global_cleanup(); }
    GlobalInit(const GlobalInit&) = delete;
    GlobalInit& operator=(const GlobalInit&) = delete;
  };
  static GlobalInit once;
}

inline CurlEasyHandle make_curl_easy() {
  ensure_curl_global_init();
  CurlEasyHandle easy(curl_easy_init());
  if (!easy) throw std::runtime_error("curl_easy_init failed");
  return easy;
}

inline CurlMultiHandle make_curl_multi() {
  ensure_curl_global_init();
  CurlMultiHandle multi(curl_multi_init());
  if (!multi) throw std::runtime_error("curl_multi_init failed");
  return multi;
}

}  // namespace golive::http
