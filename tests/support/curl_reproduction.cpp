#include "tests/support/curl_reproduction.hpp"

#include "tests/support/reference_env.hpp"

#include <stdio.h>

#include <array>
#include <cctype>
#include <memory>

namespace golive::testing {

namespace {

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string single_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool is_shell_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// The arguments `command` passes to curl, each ended by a NUL, as `sh` parses
// it; nullopt when the shell refuses it.
std::optional<std::vector<std::string>> curl_arguments(const std::string& command,
                                                       const nlohmann::json& variables,
                                                       std::string* problems) {
  std::string script = "curl() { for a in \"$@\"; do printf '%s\\0' \"$a\"; done; }; ";
  if (variables.is_object()) {
    for (const auto& [name, holds] : variables.items()) {
      if (is_shell_name(name)) script += name + "=" + single_quoted("${" + name + "}") + "; ";
    }
  }
  script += command + "\nprintf 'exit=%s' $?";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(
      popen(("sh -c " + single_quoted(script) + " 2>&1").c_str(), "r"), pclose);
  std::string out;
  std::array<char, 4096> buffer{};
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe.get())) {
    out.append(buffer.data(), n);
  }
  const auto status = out.rfind("exit=0");
  if (status == std::string::npos || status + 6 != out.size()) {
    *problems += "the shell did not run the command: " + out + "\n";
    return std::nullopt;
  }
  out.resize(status);
  std::vector<std::string> arguments;
  std::size_t start = 0;
  for (std::size_t nul = out.find('\0'); nul != std::string::npos; nul = out.find('\0', start)) {
    arguments.push_back(out.substr(start, nul - start));
    start = nul + 1;
  }
  return arguments;
}

}  // namespace

std::optional<std::string> CurlReproduction::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (lower(key) == lower(name)) return value;
  }
  return std::nullopt;
}

std::vector<std::string> reference_secret_values(const ReferenceEnv& target) {
  std::vector<std::string> values;
  for (const char* key : {"GOLIVE_REF_ANON_KEY", "GOLIVE_REF_SERVICE_ROLE_KEY",
                          "GOLIVE_REF_JWT_SECRET", "GOLIVE_REF_WEBHOOK_SECRET"}) {
    values.push_back(target.var(key));
  }
  return values;
}

std::optional<CurlReproduction> parse_curl_reproduction(const nlohmann::json& evidence,
                                                        const std::string& method,
                                                        const std::string& url_prefix,
                                                        const std::vector<std::string>& secrets,
                                                        std::string* problems) {
  if (!evidence.is_object() || !evidence.contains("reproduction") ||
      !evidence["reproduction"].is_string()) {
    *problems += "no reproduction in the evidence: " + evidence.dump() + "\n";
    return std::nullopt;
  }
  const std::string command = evidence["reproduction"].get<std::string>();
  const nlohmann::json variables = evidence.value("reproduction_env", nlohmann::json::object());
  const std::string written = command + "\n" + variables.dump();
  for (const auto& secret : secrets) {
    if (!secret.empty() && written.find(secret) != std::string::npos) {
      *problems += "a secret value appears in the reproduction: " + command + "\n";
    }
  }
  if (written.find("eyJ") != std::string::npos) {
    *problems += "a literal JWT appears in the reproduction: " + command + "\n";
  }
  if (command.rfind("curl -sS -i ", 0) != 0 && command.rfind("curl -sS -I ", 0) != 0) {
    *problems += "not a curl command: " + command + "\n";
    return std::nullopt;
  }
  const auto arguments = curl_arguments(command, variables, problems);
  if (!arguments) return std::nullopt;

  CurlReproduction curl;
  curl.method = "GET";
  for (std::size_t i = 0; i < arguments->size(); ++i) {
    const std::string& word = (*arguments)[i];
    const bool has_value = i + 1 < arguments->size();
    if (word == "-X" && has_value) {
      curl.method = (*arguments)[++i];
    } else if (word == "-I") {
      curl.method = "HEAD";
    } else if (word == "-H" && has_value) {
      const std::string& line = (*arguments)[++i];
      const auto colon = line.find(':');
      std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.erase(0, 1);
      curl.headers.emplace_back(line.substr(0, colon), value);
    } else if (word == "--data-binary" && has_value) {
      curl.body = (*arguments)[++i];
    } else if (!word.empty() && word[0] != '-') {
      curl.url = word;
    }
  }
  if (curl.method != method) {
    *problems += "method " + curl.method + ", expected " + method + ": " + command + "\n";
  }
  if (curl.url.rfind(url_prefix, 0) != 0) {
    *problems += "URL " + curl.url + " does not start with " + url_prefix + "\n";
  }
  return curl;
}

}  // namespace golive::testing
