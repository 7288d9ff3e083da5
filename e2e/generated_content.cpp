#include "e2e/generated_content.hpp"

#include <array>

#include "core/ascii_case.hpp"

namespace golive::e2e {

namespace {

struct KnownType {
  const char* extension;
  const char* content_type;
  std::string_view signature;  // first bytes of a file of this type
};

using namespace std::string_view_literals;

const std::array<KnownType, 10>& known_types() {
  static const std::array<KnownType, 10> types{{
      {".pdf", "application/pdf", "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"sv},
      {".png", "image/png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR"sv},
      {".jpg", "image/jpeg", "\xff\xd8\xff\xe0\0\x10JFIF\0"sv},
      {".gif", "image/gif", "GIF89a"sv},
      {".txt", "text/plain", ""sv},
      {".html", "text/html", "<!doctype html>\n"sv},
      {".csv", "text/csv", ""sv},
      {".json", "application/json", ""sv},
      {".zip", "application/zip", "PK\x03\x04"sv},
      {".exe", "application/x-msdownload", "MZ\x90\0"sv},
  }};
  return types;
}

}  // namespace

std::string content_type_for_extension(std::string_view extension) {
  const std::string lower = core::ascii_lower(std::string(extension));
  if (lower == ".jpeg") return "image/jpeg";
  if (lower == ".htm") return "text/html";
  for (const auto& type : known_types()) {
    if (lower == type.extension) return type.content_type;
  }
  return "application/octet-stream";
}

std::string extension_for_content_type(std::string_view content_type) {
  const std::string lower = core::ascii_lower(std::string(content_type.substr(0, content_type.find(';'))));
  for (const auto& type : known_types()) {
    if (lower == type.content_type) return type.extension;
  }
  return ".bin";
}

std::string generate_content(std::string_view content_type, std::size_t size) {
  const std::string lower = core::ascii_lower(std::string(content_type.substr(0, content_type.find(';'))));
  std::string_view signature;
  for (const auto& type : known_types()) {
    if (lower == type.content_type) signature = type.signature;
  }
  std::string bytes(signature.substr(0, std::min(signature.size(), size)));
  bytes.reserve(size);
  // Printable filler lines: readable in a text viewer, compressible, and
  // never a multipart boundary (which starts with "--").
  static const std::string_view kLine = "golive generated content 0123456789 abcdefghijklmnopqrstuvwxyz\n";
  while (bytes.size() < size) {
    bytes.append(kLine.substr(0, std::min(kLine.size(), size - bytes.size())));
  }
  return bytes;
}

}  // namespace golive::e2e
