#include "security/secret_sources.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "core/ascii_case.hpp"
#include "http/curl/curl_http_client.hpp"
#include "core/input_error.hpp"

namespace golive::security {

namespace fs = std::filesystem;

namespace {

bool looks_binary(std::string_view head) {
  return head.find('\0') != std::string_view::npos;
}

// Reads at most limits.max_file_bytes + 1 bytes (the extra byte tells a
// truncated file). False when the file cannot be opened or read.
bool read_prefix(const fs::path& path, std::size_t max_bytes, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  text->resize(max_bytes + 1);
  in.read(text->data(), static_cast<std::streamsize>(text->size()));
  if (in.bad()) return false;
  text->resize(static_cast<std::size_t>(in.gcount()));
  return true;
}

void scan_file(const fs::path& path, const SecretScanLimits& limits, SecretScanReport& report) {
  std::string text;
  if (!read_prefix(path, limits.max_file_bytes, &text)) {
    report.failures.push_back({path.string(), "cannot be read"});
    return;
  }
  if (looks_binary(std::string_view(text).substr(0, limits.binary_sniff_bytes))) {
    ++report.coverage.skipped_binary;
    return;
  }
  scan_text(path.string(), text, limits, report);
}

bool is_http_url(std::string_view url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

// "https://host:port" of an http(s) URL.
std::string origin_of(const std::string& url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "";
  const std::size_t path_start = url.find('/', scheme_end + 3);
  return path_start == std::string::npos ? url : url.substr(0, path_start);
}

std::string lowercase(std::string_view text) { return core::ascii_lower(text); }

// The value of attribute `name` inside one tag's text, or "".
std::string attribute_value(std::string_view tag, std::string_view tag_lower,
                            std::string_view name) {
  std::size_t at = 0;
  while ((at = tag_lower.find(name, at)) != std::string_view::npos) {
    const bool boundary = at > 0 && std::isspace(static_cast<unsigned char>(tag_lower[at - 1]));
    std::size_t i = at + name.size();
    while (i < tag.size() && tag[i] == ' ') ++i;
    if (!boundary || i >= tag.size() || tag[i] != '=') {
      at += name.size();
      continue;
    }
    ++i;
    while (i < tag.size() && tag[i] == ' ') ++i;
    if (i >= tag.size()) return "";
    const char quote = tag[i];
    if (quote == '"' || quote == '\'') {
      const std::size_t end = tag.find(quote, i + 1);
      return end == std::string_view::npos ? "" : std::string(tag.substr(i + 1, end - i - 1));
    }
    std::size_t end = i;
    while (end < tag.size() && !std::isspace(static_cast<unsigned char>(tag[end])) &&
           tag[end] != '>')
      ++end;
    return std::string(tag.substr(i, end - i));
  }
  return "";
}

}  // namespace

void validate_scan_paths(const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    std::error_code error;
    const fs::file_status status = fs::status(path, error);
    if (error || !fs::exists(status)) {
      throw core::InputError(path, "", "no such file or directory (given to --path)");
    }
    if (!fs::is_regular_file(status) && !fs::is_directory(status)) {
      throw core::InputError(path, "", "neither a regular file nor a directory (given to --path)");
    }
  }
}

void scan_text(const std::string& source, std::string_view text, const SecretScanLimits& limits,
               SecretScanReport& report) {
  if (text.size() > limits.max_file_bytes) {
    ++report.coverage.truncated;
    text = text.substr(0, limits.max_file_bytes);
  }
  ++report.coverage.sources_scanned;
  report.coverage.bytes_scanned += text.size();
  for (auto& finding : scan_for_secrets(text)) {
    report.findings.push_back({source, std::move(finding)});
  }
}

void scan_path(const std::string& path, const SecretScanLimits& limits, SecretScanReport& report) {
  report.scanned_names.push_back(path);
  std::error_code error;
  if (fs::is_regular_file(path, error)) {
    scan_file(path, limits, report);
    return;
  }
  std::size_t visited = 0;
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, error);
  if (error) {
    report.failures.push_back({path, "cannot be listed: " + error.message()});
    return;
  }
  for (const fs::recursive_directory_iterator end; it != end; it.increment(error)) {
    if (error) {
      ++report.coverage.skipped_other;
      error.clear();
      continue;
    }
    const fs::directory_entry& entry = *it;
    if (entry.is_directory(error) && entry.path().filename() == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    // Symlinks are not followed: a link to / must not turn a scan into a crawl.
    if (entry.is_symlink(error) || !entry.is_regular_file(error)) {
      if (!entry.is_directory(error)) ++report.coverage.skipped_other;
      continue;
    }
    if (++visited > limits.max_files) {
      ++report.coverage.skipped_other;
      continue;
    }
    scan_file(entry.path(), limits, report);
  }
}

std::string scan_url(const std::string& url, const http::ClientOptions& engine,
                     std::chrono::milliseconds timeout, const SecretScanLimits& limits,
                     SecretScanReport& report, bool missing_is_failure) {
  http::HttpRequest request;
  request.url = url;
  request.timeout = timeout;
  // One byte more than the bound tells a truncated document from one that fits;
  // a bigger body fails with kTooLarge, so allow a generous cap and cut here.
  request.max_response_bytes = std::max<std::size_t>(limits.max_file_bytes * 4, 1 << 20);
  http::HttpResponse response = http::fetch(std::move(request), engine);
  if (!response.transport_ok()) {
    report.failures.push_back(
        {url, std::string(http::to_string(response.error)) + ": " + response.error_message});
    return "";
  }
  if (response.status / 100 != 2) {
    if (missing_is_failure) {
      report.failures.push_back({url, "status " + std::to_string(response.status)});
    } else {
      ++report.coverage.skipped_other;
    }
    return "";
  }
  report.scanned_names.push_back(url);
  if (looks_binary(std::string_view(response.body).substr(0, limits.binary_sniff_bytes))) {
    ++report.coverage.skipped_binary;
    return "";
  }
  scan_text(url, response.body, limits, report);
  return std::move(response.body);
}

std::vector<std::string> script_sources(std::string_view html, const std::string& page_url) {
  std::vector<std::string> urls;
  const std::string lower = lowercase(html);
  const std::string origin = origin_of(page_url);
  const std::string scheme = page_url.substr(0, page_url.find("://"));
  std::size_t at = 0;
  while ((at = lower.find("<script", at)) != std::string::npos) {
    const std::size_t close = lower.find('>', at);
    if (close == std::string::npos) break;
    const std::string_view tag = html.substr(at, close - at);
    const std::string_view tag_lower = std::string_view(lower).substr(at, close - at);
    std::string src = attribute_value(tag, tag_lower, "src");
    at = close;
    if (src.empty()) continue;
    if (is_http_url(src)) {
      urls.push_back(src);
    } else if (src.rfind("//", 0) == 0) {
      urls.push_back(scheme + ":" + src);
    } else if (src.front() == '/') {
      urls.push_back(origin + src);
    } else if (src.find(':') ==
               std::string::npos) {  // relative; data: and javascript: are not fetched
      const std::size_t slash = page_url.rfind('/');
      const std::string base = slash != std::string::npos && slash > origin.size()
                                   ? page_url.substr(0, slash + 1)
                                   : origin + "/";
      urls.push_back(base + src);
    }
  }
  std::sort(urls.begin(), urls.end());
  urls.erase(std::unique(urls.begin(), urls.end()), urls.end());
  return urls;
}

}  // namespace golive::security
