#include "http/curl/curl_transfer.hpp"

#include <strings.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "http/curl/curl_multi_driver.hpp"

namespace golive::http {
namespace {

long curl_http_version(HttpVersion version) {
  switch (version) {
    case HttpVersion::kHttp1_1: return CURL_HTTP_VERSION_1_1;
    case HttpVersion::kHttp2: return CURL_HTTP_VERSION_2TLS;
    case HttpVersion::kHttp2PriorKnowledge: return CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
  }
  return CURL_HTTP_VERSION_1_1;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

void append_lowercase(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size());
  for (char c : text) out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
}

double microseconds_to_ms(curl_off_t microseconds) { return static_cast<double>(microseconds) / 1000.0; }

// Requests that send a body even when it is empty (Content-Length: 0).
bool method_carries_body(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

}  // namespace

HttpErrorCategory classify_curl_result(CURLcode code, bool size_cap_hit) {
  switch (code) {
    case CURLE_OK: return HttpErrorCategory::kNone;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return HttpErrorCategory::kDns;
    case CURLE_COULDNT_CONNECT: return HttpErrorCategory::kConnect;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED: return HttpErrorCategory::kTls;
    case CURLE_OPERATION_TIMEDOUT: return HttpErrorCategory::kTimeout;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE: return HttpErrorCategory::kReset;  // closed before the body ended
    case CURLE_FILESIZE_EXCEEDED: return HttpErrorCategory::kTooLarge;  // Content-Length over the cap
    // libcurl 7.x reports a response header over its 100 KB limit (CURL_MAX_HTTP_HEADER)
    // as CURLE_OUT_OF_MEMORY ("Avoided giant realloc for header"); 8.6+ says CURLE_TOO_LARGE.
    case CURLE_OUT_OF_MEMORY: return HttpErrorCategory::kTooLarge;
#if LIBCURL_VERSION_NUM >= 0x080600
    case CURLE_TOO_LARGE: return HttpErrorCategory::kTooLarge;
#endif
    case CURLE_WRITE_ERROR:
      return size_cap_hit ? HttpErrorCategory::kTooLarge : HttpErrorCategory::kOther;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:  // the engine only sends http(s), so this is an HTTP/0.9 reply
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP2:
    case CURLE_HTTP3: return HttpErrorCategory::kProtocol;
    case CURLE_HTTP2_STREAM: return HttpErrorCategory::kReset;  // the server reset the stream (RST_STREAM)
    case CURLE_ABORTED_BY_CALLBACK: return HttpErrorCategory::kCancelled;
    default: return HttpErrorCategory::kOther;
  }
}

CurlTransfer::CurlTransfer(const ClientOptions& options, CurlMultiDriver& driver)
    : easy_(make_curl_easy()) {
  CURL* easy = easy_.get();
  driver.adopt_easy(easy);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, this);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &CurlTransfer::on_body_bytes);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &CurlTransfer::on_header_line);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_text_);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);  // engines run on many threads
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  if (getenv("DBG_CURL_VERBOSE")) curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);  // DBG
  // The User-Agent goes into the reused header list (apply_headers) rather
  // than CURLOPT_USERAGENT, which curl would format anew for every request.
  user_agent_line_ = "User-Agent: " + options.user_agent;
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, curl_http_version(options.http_version));
  if (options.http_version != HttpVersion::kHttp1_1) {
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);  // prefer a new stream over a new connection
  }
  // libcurl 7.88 (Debian 12) fails every request after the first on a reused
  // prior-knowledge h2c connection without sending it ("Error in the HTTP2
  // framing layer"; the curl command line shows the same): h2c requests then
  // each open their own connection. https:// HTTP/2 reuses and multiplexes.
  h2c_without_reuse_ = options.http_version == HttpVersion::kHttp2PriorKnowledge &&
                       LIBCURL_VERSION_NUM < 0x080000;
  const config::TlsSettings& tls = options.tls;
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, tls.insecure ? 0L : 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, tls.insecure ? 0L : 2L);
  if (!tls.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.client_cert.empty()) {
    curl_easy_setopt(easy, CURLOPT_SSLCERT, tls.client_cert.c_str());
    curl_easy_setopt(easy, CURLOPT_SSLKEY, tls.client_key.c_str());
  }
  if (tls.min_version == "1.2") curl_easy_setopt(easy, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
  if (tls.min_version == "1.3") curl_easy_setopt(easy, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_3);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  if (!options.use_proxy_from_environment) {
    // Both set: curl then reads neither *_proxy nor no_proxy from the
    // environment, which it would otherwise do for every request.
    curl_easy_setopt(easy, CURLOPT_PROXY, "");
    curl_easy_setopt(easy, CURLOPT_NOPROXY, "");
  }
}

CurlTransfer& CurlTransfer::from_easy(CURL* easy) {
  char* self = nullptr;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, &self);
  return *reinterpret_cast<CurlTransfer*>(self);
}

void CurlTransfer::start(HttpRequest&& request, ResponseCallback&& on_complete) {
  request_ = std::move(request);
  on_complete_ = std::move(on_complete);
  response_ = HttpResponse{};
  response_.headers.reserve(kExpectedHeaderCount);
  size_cap_hit_ = false;
  body_received_ = 0;
  error_text_[0] = '\0';

  CURL* easy = easy_.get();
  if (h2c_without_reuse_) {
    const bool cleartext = request_.url.size() >= 7 && strncasecmp(request_.url.c_str(), "http://", 7) == 0;
    curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, cleartext ? 1L : 0L);
  }
  if (request_.url != url_) {  // curl copies the URL; skip the copy when it repeats
    url_ = request_.url;
    curl_easy_setopt(easy, CURLOPT_URL, url_.c_str());
  }
  apply_method_and_body();
  apply_headers();
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request_.timeout.count()));
  // Refuse a declared Content-Length over the cap before reading the body;
  // chunked bodies are capped in on_body_bytes. 0 here means "no limit".
  curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(request_.max_response_bytes));
}

void CurlTransfer::apply_method_and_body() {
  CURL* easy = easy_.get();
  const std::string& method = request_.method;
  const bool head = method == "HEAD";
  const bool has_body = !head && (!request_.body.empty() || method_carries_body(method));

  if (head) {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (has_body) {
    if (head_request_) curl_easy_setopt(easy, CURLOPT_NOBODY, 0L);
    // curl reads the body in place from request_.body until the transfer ends.
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_.body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request_.body.data());
  } else {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);  // also clears NOBODY and POST state
  }
  head_request_ = head;

  // CUSTOMREQUEST only renames the verb of the request shape chosen above.
  const bool verb_is_implied = head || (has_body ? method == "POST" : method == "GET");
  const std::string wanted = verb_is_implied ? std::string() : method;
  if (wanted != custom_method_) {
    custom_method_ = wanted;
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, custom_method_.empty() ? nullptr : custom_method_.c_str());
  }
}

void CurlTransfer::apply_headers() {
  if (header_list_built_ && request_.headers == header_list_source_) return;  // reuse the list
  CurlHeaderList list;
  auto append = [&list](const char* line) {
    curl_slist* grown = curl_slist_append(list.get(), line);
    if (grown == nullptr) throw std::bad_alloc();  // `list` still owns what was built
    list.release();
    list.reset(grown);
  };
  bool has_user_agent = false;
  std::string line;
  for (const auto& [name, value] : request_.headers) {
    has_user_agent = has_user_agent || strcasecmp(name.c_str(), "User-Agent") == 0;
    line.assign(name);
    if (value.empty()) {
      line.push_back(';');  // curl's spelling of a header with an empty value
    } else {
      line.append(": ").append(value);
    }
    append(line.c_str());
  }
  append("Expect:");  // never wait for "100 Continue" before sending a large body
  if (!has_user_agent) append(user_agent_line_.c_str());
  header_list_ = std::move(list);
  header_list_source_ = request_.headers;
  header_list_built_ = true;
  curl_easy_setopt(easy_.get(), CURLOPT_HTTPHEADER, header_list_.get());
}

std::size_t CurlTransfer::on_body_bytes(char* data, std::size_t size, std::size_t count, void* self) {
  auto& transfer = *static_cast<CurlTransfer*>(self);
  const std::size_t bytes = size * count;
  std::string& body = transfer.response_.body;
  if (transfer.body_received_ + bytes > transfer.request_.max_response_bytes) {
    transfer.size_cap_hit_ = true;
    return 0;  // curl aborts the transfer with CURLE_WRITE_ERROR
  }
  transfer.body_received_ += bytes;
  if (transfer.request_.discard_response) return bytes;
  if (body.empty()) {
    curl_off_t declared = -1;
    curl_easy_getinfo(transfer.easy_.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &declared);
    if (declared > 0 && static_cast<std::size_t>(declared) <= transfer.request_.max_response_bytes) {
      body.reserve(static_cast<std::size_t>(declared));
    }
  }
  body.append(data, bytes);
  return bytes;
}

std::size_t CurlTransfer::on_header_line(char* data, std::size_t size, std::size_t count, void* self) {
  auto& transfer = *static_cast<CurlTransfer*>(self);
  const std::size_t bytes = size * count;
  std::string_view line(data, bytes);
  HeaderList& headers = transfer.response_.headers;

  if (line.rfind("HTTP/", 0) == 0) {
    headers.clear();  // a new response (after 100 Continue or a 1xx): keep only the final one
    return bytes;
  }
  if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    const std::string_view continuation = trim(line);  // obsolete line folding
    if (!headers.empty() && !continuation.empty()) headers.back().second.append(" ").append(continuation);
    return bytes;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;  // the blank line ending the block
  if (transfer.request_.discard_response) return bytes;
  auto& header = headers.emplace_back();
  append_lowercase(header.first, trim(line.substr(0, colon)));
  header.second.assign(trim(line.substr(colon + 1)));
  return bytes;
}

void CurlTransfer::read_timing() {
  CURL* easy = easy_.get();
  curl_off_t dns = 0, connect = 0, tls = 0, first_byte = 0, total = 0;  // microseconds
  curl_easy_getinfo(easy, CURLINFO_NAMELOOKUP_TIME_T, &dns);
  curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect);
  curl_easy_getinfo(easy, CURLINFO_APPCONNECT_TIME_T, &tls);
  curl_easy_getinfo(easy, CURLINFO_STARTTRANSFER_TIME_T, &first_byte);
  curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total);
  if (response_.error == HttpErrorCategory::kNone) {
    // A phase curl skipped (no TLS on http://, no DNS or connect on a reused
    // connection) took no time: carry the previous mark forward so the
    // breakdown is monotonic and each difference is that phase's duration.
    connect = std::max(connect, dns);
    tls = std::max(tls, connect);
    first_byte = std::max(first_byte, tls);
    total = std::max(total, first_byte);
  }
  response_.timing.dns_ms = microseconds_to_ms(dns);
  response_.timing.connect_ms = microseconds_to_ms(connect);
  response_.timing.tls_ms = microseconds_to_ms(tls);
  response_.timing.first_byte_ms = microseconds_to_ms(first_byte);
  response_.timing.total_ms = microseconds_to_ms(total);
  long new_connections = 0;
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &new_connections);
  response_.timing.new_connection = new_connections > 0;
  curl_off_t handshake = 0;
  if (response_.timing.new_connection && tls > connect) handshake = tls - connect;  // https only
  response_.timing.handshake_ms = microseconds_to_ms(handshake);
}

HttpResponse CurlTransfer::finish(CURLcode result) {
  long status = 0;
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
  response_.status = static_cast<int>(status);
  response_.error = classify_curl_result(result, size_cap_hit_);
  if (result != CURLE_OK) {
    response_.error_message = error_text_[0] != '\0' ? error_text_ : curl_easy_strerror(result);
    if (size_cap_hit_) {
      response_.error_message = "response body exceeded max_response_bytes (" +
                                std::to_string(request_.max_response_bytes) + " bytes)";
    }
  }
  read_timing();
  release_request_memory();
  return std::move(response_);
}

HttpResponse CurlTransfer::abandon(HttpErrorCategory category, std::string message) {
  HttpResponse response;
  response.error = category;
  response.error_message = std::move(message);
  release_request_memory();
  response_ = HttpResponse{};
  return response;
}

void CurlTransfer::release_request_memory() {
  // The body may be large; an idle handle should not pin it. curl's pointer
  // to it is replaced by the next start() before it is read again.
  if (request_.body.capacity() > 64 * 1024) {
    std::string().swap(request_.body);
  } else {
    request_.body.clear();
  }
}

}  // namespace golive::http
