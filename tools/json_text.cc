#include "json_text.h"

#include <cstring>
#include <nlohmann/json.hpp>

namespace esdb::cli {

bool JsonText::load(std::string_view text, std::string& error) {
  // JSON text never holds a raw NUL, but simdjson ends a number at one (it
  // reads NUL as padding), so `-9\0 23` would pass as the number -9.
  if (text.find('\0') != std::string_view::npos) {
    error = "invalid JSON: NUL byte";
    return false;
  }
  size_ = text.size();
  if (buf_.size() < size_ + simdjson::SIMDJSON_PADDING) buf_.resize(size_ + simdjson::SIMDJSON_PADDING);
  if (size_ > 0) std::memcpy(buf_.data(), text.data(), size_);  // data() may be null
  std::memset(buf_.data() + size_, 0, simdjson::SIMDJSON_PADDING);

  simdjson::dom::element root;
  const auto code = dom_.parse(buf_.data(), size_, false).get(root);
  if (code == simdjson::SUCCESS) return true;
  if ((code == simdjson::NUMBER_ERROR || code == simdjson::NUMBER_OUT_OF_RANGE) &&
      nlohmann::json::accept(text)) {
    return true;
  }
  error = std::string("invalid JSON: ") + simdjson::error_message(code);
  return false;
}

simdjson::simdjson_result<simdjson::ondemand::document> JsonText::iterate() {
  return ondemand_.iterate(simdjson::padded_string_view(buf_.data(), size_, buf_.size()));
}

std::string_view trim_json_space(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

bool is_embeddable_json(std::string_view bytes, JsonText& scratch) {
  if (bytes.empty() || trim_json_space(bytes).size() != bytes.size()) return false;
  if (bytes.find_first_of("\r\n") != std::string_view::npos) return false;
  std::string ignored;
  return scratch.load(bytes, ignored);
}

size_t json_value_end(std::string_view text, size_t start) {
  const size_t n = text.size();
  auto skip_string = [&](size_t i) {  // i at the opening quote; returns past the closing one
    for (++i; i < n && text[i] != '"'; ++i) {
      if (text[i] == '\\') ++i;
    }
    return i < n ? i + 1 : n;
  };
  if (start >= n) return n;
  const char first = text[start];
  if (first == '"') return skip_string(start);
  if (first == '{' || first == '[') {
    int depth = 0;
    for (size_t i = start; i < n;) {
      const char c = text[i];
      if (c == '"') {
        i = skip_string(i);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && --depth == 0) return i + 1;
      ++i;
    }
    return n;
  }
  size_t i = start;
  while (i < n && std::strchr(",}] \t\r\n", text[i]) == nullptr) ++i;
  return i;
}

}  // namespace esdb::cli
