// Where the secrets probe looks: files and directories on disk (a checkout,
// a build output such as dist/) and documents fetched over HTTP (a frontend
// bundle, the pages a target serves). Each source is read with a size bound,
// binaries are skipped, and every secret found is located by source name and
// byte offset. The checks themselves are made by secrets_probe.hpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "http/client_options.hpp"
#include "target/secret_scanner.hpp"

namespace golive::security {

// The secret rules live in target/ (the repository audit uses them too).
using target::SecretFinding;
using target::SecretKind;
using target::describe;
using target::redact_secret;
using target::scan_for_secrets;
using target::to_string;

struct SecretScanLimits {
  std::size_t max_file_bytes =
      std::size_t{4} * 1024 * 1024;       // bytes scanned per file or document (a prefix)
  std::size_t max_files = 100000;         // files visited per scan before it stops
  std::size_t binary_sniff_bytes = 8192;  // a NUL in these first bytes marks a binary
};

// One finding and where it was.
struct LocatedSecret {
  std::string source;  // the file path as walked, or the URL
  SecretFinding finding;
};

// A document that could not be read or fetched; becomes an error check.
struct SourceFailure {
  std::string source;
  std::string reason;
};

// Figures of one scan, for the evidence of its checks.
struct SecretScanCoverage {
  std::size_t sources_scanned = 0;  // files and documents whose text was scanned
  std::size_t bytes_scanned = 0;    // bytes of text scanned in total
  std::size_t skipped_binary = 0;   // files with a NUL in their first bytes
  std::size_t truncated = 0;        // sources longer than max_file_bytes (prefix scanned)
  std::size_t skipped_other = 0;    // sockets, devices, unreadable entries, files past max_files
};

struct SecretScanReport {
  std::vector<LocatedSecret> findings;
  std::vector<SourceFailure> failures;
  SecretScanCoverage coverage;
  std::vector<std::string>
      scanned_names;  // paths given and URLs scanned (not every file of a directory)
  std::vector<std::string> not_allowed;  // script URLs not fetched: host outside allowed_hosts
  // When the scan began: the per-kind checks report the whole scan's time.
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

// Throws core::InputError naming the first path that does not exist or is
// neither a regular file nor a directory (exit 2 before any scanning).
void validate_scan_paths(const std::vector<std::string>& paths);

// Scans a file, or every regular file below a directory (recursively, not
// following symlinks, skipping .git), appending to `report`.
void scan_path(const std::string& path, const SecretScanLimits& limits, SecretScanReport& report);

// Scans text already in memory (a fetched document) named `source`.
void scan_text(const std::string& source, std::string_view text, const SecretScanLimits& limits,
               SecretScanReport& report);

// Fetches `url` with the HTTP engine (the engine's host_allowed rail decides
// whether it may leave the machine) and scans the body. A transport failure
// or a refused host is recorded in report.failures, and so is a non-2xx
// status when `missing_is_failure` (a named bundle must be there; an
// optional page may be absent). Returns the body scanned (empty otherwise),
// so a page can be searched for its script bundles.
std::string scan_url(const std::string& url, const http::ClientOptions& engine,
                     std::chrono::milliseconds timeout, const SecretScanLimits& limits,
                     SecretScanReport& report, bool missing_is_failure = true);

// The script bundles an HTML page loads: the src of each <script src=…>,
// resolved against `page_url` (absolute http(s) URLs kept as they are,
// "//host/x" given the page's scheme, "/x" and "x" resolved on its origin).
std::vector<std::string> script_sources(std::string_view html, const std::string& page_url);

}  // namespace golive::security
