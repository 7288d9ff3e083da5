// Static assets and the edge in front of them: the frontend's HTML (infra.
// static.frontend_url, default base_url + "/") names its assets; hashed ones
// must be cacheable for a day or more, the HTML must not be cached long,
// both carry a validator, compressible ones are compressed when asked, and a
// second request for an asset shows an edge cache hit (Age, X-Cache,
// X-Cache-Status, CF-Cache-Status).
#include <algorithm>
#include <regex>

#include "core/ascii_case.hpp"
#include "core/url.hpp"
#include "infra/http_support.hpp"
#include "infra/infra_check.hpp"
#include "infra/infra_suite.hpp"

namespace golive::infra {

namespace {

const std::vector<std::string> kR63{"s001.R6.3", "s001.success.infrastructure_provisioned"};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

long max_age_of(const std::string& cache_control) {
  static const std::regex kMaxAge(R"((?:^|[,\s])(?:s-)?max-age\s*=\s*(\d+))");
  std::smatch match;
  const std::string text = lower(cache_control);
  if (std::regex_search(text, match, kMaxAge)) return std::stol(match[1]);
  return -1;
}

bool is_hashed(const std::string& path) {
  static const std::regex kHash(R"([.\-_][0-9A-Za-z]{8,}\.[a-z0-9]+$)");
  return std::regex_search(path, kHash);
}

// Absolute URLs of the scripts, stylesheets and images the HTML references.
std::vector<std::string> asset_urls(const std::string& html, const core::Url& page) {
  static const std::regex kRef(R"re((?:src|href)\s*=\s*["']([^"'#?]+\.(?:js|mjs|css|woff2?|svg|png|jpg|webp))["'])re",
                               std::regex::icase);
  std::vector<std::string> urls;
  const std::string origin = page.scheme + "://" + page.authority();
  for (auto it = std::sregex_iterator(html.begin(), html.end(), kRef); it != std::sregex_iterator(); ++it) {
    const std::string ref = (*it)[1];
    std::string url;
    if (ref.rfind("http://", 0) == 0 || ref.rfind("https://", 0) == 0) {
      url = ref;
    } else if (ref.rfind("//", 0) == 0) {
      url = page.scheme + ":" + ref;
    } else if (!ref.empty() && ref[0] == '/') {
      url = origin + ref;
    } else {
      url = origin + "/" + ref;
    }
    if (std::find(urls.begin(), urls.end(), url) == urls.end()) urls.push_back(url);
  }
  return urls;
}

bool edge_hit(const http::HttpResponse& response) {
  for (const char* name : {"x-cache", "x-cache-status", "cf-cache-status"}) {
    if (lower(response.header(name).value_or("")).find("hit") != std::string::npos) return true;
  }
  const std::string age = response.header("age").value_or("");
  return !age.empty() && age != "0";
}

}  // namespace

void check_static_assets(const config::Environment& env, const InfraSettings& settings, core::ResultSink& sink) {
  InfraCheck headers(sink, "infra.static.asset_cache_headers",
                     "Hashed static assets are cacheable for a day or more (Cache-Control: public, max-age)",
                     core::Severity::kMedium, kR63);
  InfraCheck html_check(sink, "infra.static.html_not_long_cached", "The HTML entry point is not cached long",
                        core::Severity::kLow, kR63);
  InfraCheck validators(sink, "infra.static.validators", "Static files carry ETag or Last-Modified",
                        core::Severity::kLow, kR63);
  InfraCheck compression(sink, "infra.static.compression", "Compressible static files are compressed when asked",
                         core::Severity::kLow, kR63);
  InfraCheck edge(sink, "infra.static.edge_cache", "A CDN or edge cache serves repeated asset requests",
                  core::Severity::kMedium, kR63);
  const std::string page_url = settings.frontend_url.empty() ? env.url("/") : settings.frontend_url;
  const auto page = core::parse_url(page_url);
  auto skip_all = [&](const std::string& why) {
    for (InfraCheck* check : {&headers, &html_check, &validators, &compression, &edge}) check->skip(why);
  };
  if (!page) {
    skip_all("no frontend URL: set infra.static.frontend_url");
    return;
  }
  http::HttpRequest request = infra_request(env, page_url);
  request.headers.emplace_back("Accept-Encoding", "gzip, br");
  const http::HttpResponse html = infra_fetch(env, request);
  // The page's own request shows the HTML's headers (and an asset list without hashes).
  html_check.reproduce(infra_reproduction(env, request));
  headers.reproduce(infra_reproduction(env, request));
  validators.reproduce(infra_reproduction(env, request));
  if (!html.transport_ok() || html.status != 200 ||
      lower(html.header("content-type").value_or("")).find("text/html") == std::string::npos) {
    skip_all("no HTML frontend at " + page_url + " (" + describe(html) +
             "): set infra.static.frontend_url to the frontend's address");
    return;
  }
  // Compressed bodies are not decoded here: the asset list comes from an uncompressed copy.
  std::string body = html.body;
  if (html.header("content-encoding")) body = infra_fetch(env, infra_request(env, page_url)).body;
  const std::vector<std::string> urls = asset_urls(body, *page);
  std::vector<std::string> hashed;
  for (const auto& url : urls) {
    if (is_hashed(url)) hashed.push_back(url);
  }

  // The HTML entry point: revalidated, or cached briefly.
  const std::string html_cc = html.header("cache-control").value_or("");
  const long html_age = max_age_of(html_cc);
  const std::string html_cc_lower = lower(html_cc);
  nlohmann::json html_evidence = {{"url", page_url}, {"cache_control", html_cc}};
  if (html_cc_lower.find("no-cache") != std::string::npos || html_cc_lower.find("no-store") != std::string::npos ||
      (html_age >= 0 && html_age <= 600)) {
    html_check.pass("HTML Cache-Control: " + html_cc, html_evidence);
  } else if (html_cc.empty()) {
    html_check.pass("HTML has no Cache-Control (browsers revalidate heuristically)", html_evidence);
  } else {
    html_check.fail("the HTML entry point may be cached for " + std::to_string(html_age) +
                        " s: a release would not reach users until it expires",
                    html_evidence);
  }
  if (hashed.empty()) {
    const std::string why = "the HTML at " + page_url + " references no hashed asset (" +
                            std::to_string(urls.size()) + " asset(s) found)";
    headers.fail(why, {{"assets", urls}});
    validators.skip(why);
    compression.skip(why);
    edge.skip(why);
    return;
  }

  // Each hashed asset, twice: the second shows whether an edge cache answered.
  std::vector<http::HttpRequest> requests;
  for (const auto& url : hashed) {
    http::HttpRequest asset = infra_request(env, url);
    asset.headers.emplace_back("Accept-Encoding", "gzip, br");
    requests.push_back(asset);
  }
  const std::vector<http::HttpResponse> first = infra_fetch_all(env, requests, 4);
  const std::vector<http::HttpResponse> second = infra_fetch_all(env, requests, 4);
  nlohmann::json assets = nlohmann::json::array();
  int uncacheable = 0, no_validator = 0, uncompressed = 0, hits = 0, misses = 0, unreachable = 0;
  // Each check's reproduction is the first asset request that shows its
  // failure (the edge check's: that request sent twice).
  const auto reproduce_once = [&](InfraCheck& check, int count, std::size_t i) {
    if (count == 1) check.reproduce(infra_reproduction(env, requests[i]));
  };
  bool any_edge_header = false;
  for (std::size_t i = 0; i < hashed.size(); ++i) {
    const http::HttpResponse& response = first[i];
    const std::string cc = response.header("cache-control").value_or("");
    const long age = max_age_of(cc);
    const bool ok = response.transport_ok() && response.status == 200;
    if (!ok) reproduce_once(headers, ++unreachable, i);
    const bool cacheable = ok && age >= 86400 && lower(cc).find("public") != std::string::npos &&
                           lower(cc).find("no-store") == std::string::npos;
    if (ok && !cacheable && ++uncacheable == 1 && unreachable == 0) {
      headers.reproduce(infra_reproduction(env, requests[i]));
    }
    const bool validator = response.header("etag") || response.header("last-modified");
    if (ok && !validator) reproduce_once(validators, ++no_validator, i);
    const std::string encoding = response.header("content-encoding").value_or("");
    const std::string type = lower(response.header("content-type").value_or(""));
    const bool compressible = type.find("javascript") != std::string::npos || type.find("css") != std::string::npos ||
                              type.find("svg") != std::string::npos || type.find("json") != std::string::npos;
    if (ok && compressible && encoding.empty()) reproduce_once(compression, ++uncompressed, i);
    const bool hit = edge_hit(second[i]);
    if (hit) {
      ++hits;
    } else {
      reproduce_once(edge, ++misses, i);
    }
    for (const char* name : {"x-cache", "x-cache-status", "cf-cache-status", "age"}) {
      if (second[i].header(name)) any_edge_header = true;
    }
    assets.push_back({{"url", hashed[i]},
                      {"status", response.status},
                      {"cache_control", cc},
                      {"immutable", lower(cc).find("immutable") != std::string::npos},
                      {"etag", response.header("etag").value_or("")},
                      {"last_modified", response.header("last-modified").value_or("")},
                      {"content_encoding", encoding},
                      {"second_request_hit", hit},
                      {"second_x_cache_status", second[i].header("x-cache-status").value_or("")},
                      {"second_age", second[i].header("age").value_or("")}});
  }
  const std::string count = std::to_string(hashed.size());
  if (unreachable > 0) {
    headers.error(std::to_string(unreachable) + " of " + count + " hashed asset(s) did not answer 200", {{"assets", assets}});
  } else if (uncacheable > 0) {
    headers.fail(std::to_string(uncacheable) + " of " + count +
                     " hashed asset(s) lack Cache-Control: public, max-age>=86400",
                 {{"assets", assets}});
  } else {
    headers.pass(count + " hashed asset(s) cacheable for a day or more", {{"assets", assets}});
  }
  if (no_validator > 0 || (!html.header("etag") && !html.header("last-modified"))) {
    validators.fail(std::to_string(no_validator) + " asset(s) (or the HTML) carry neither ETag nor Last-Modified",
                    {{"assets", assets}});
  } else {
    validators.pass("the HTML and " + count + " asset(s) carry ETag or Last-Modified", {{"assets", assets}});
  }
  if (uncompressed > 0) {
    compression.fail(std::to_string(uncompressed) + " compressible asset(s) came uncompressed despite "
                     "Accept-Encoding: gzip, br",
                     {{"assets", assets}});
  } else {
    compression.pass("compressible assets are compressed when asked", {{"assets", assets}});
  }
  if (hits == static_cast<int>(hashed.size())) {
    edge.pass("the second request for each of " + count + " asset(s) was an edge cache hit", {{"assets", assets}});
  } else {
    edge.fail(std::to_string(hashed.size() - static_cast<std::size_t>(hits)) + " of " + count +
                  " asset(s) were not served from an edge cache on a second request" +
                  (any_edge_header ? "" : " (no Age, X-Cache, X-Cache-Status or CF-Cache-Status header at all)"),
              {{"assets", assets}});
  }
}

}  // namespace golive::infra
