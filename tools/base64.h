// Standard base64 (RFC 4648, with '=' padding): how dump writes bytes that
// are not valid UTF-8 and so cannot be a JSON string.
#pragma once

#include <string>
#include <string_view>

namespace esdb::cli {

void base64_append(std::string& out, std::string_view bytes);

// Strict: rejects characters outside the alphabet, missing padding and
// non-zero trailing bits, so every byte string has exactly one encoding.
bool base64_decode(std::string_view text, std::string& out);

}  // namespace esdb::cli
