// Content for multipart file parts: types by file extension, and generated
// files of a given size and type whose first bytes are that type's magic
// number (%PDF-, the PNG signature, ...), so a server that inspects content
// sees the declared type and a size limit is tested by size alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace golive::e2e {

constexpr std::int64_t kMaxGeneratedBytes = 64LL * 1024 * 1024;  // per part, bytes

// "application/octet-stream" for an unknown extension (".pdf" -> application/pdf).
std::string content_type_for_extension(std::string_view extension);
// ".bin" for an unknown type (application/pdf -> ".pdf").
std::string extension_for_content_type(std::string_view content_type);
// `size` bytes starting with the type's signature when it has one (a
// signature longer than `size` is cut); text types are printable ASCII lines.
std::string generate_content(std::string_view content_type, std::size_t size);

}  // namespace golive::e2e
