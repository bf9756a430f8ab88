// One JSON text held for parsing, and the questions the tool asks of JSON.
//
// simdjson's DOM parser validates a whole text (grammar and UTF-8) at
// gigabytes per second; the On-Demand parser then reads just the fields the
// tool needs, keeping numbers as their exact source text. simdjson refuses
// numbers beyond 64 bits although they are valid JSON, so such texts are
// checked again with nlohmann::json, which accepts them.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

namespace esdb::cli {

class JsonText {
 public:
  // Copies `text` into a padded buffer and checks it is exactly one valid
  // JSON text. On failure returns false and says why in `error`.
  bool load(std::string_view text, std::string& error);

  // The loaded text; pointers the On-Demand walk hands out point into it.
  std::string_view text() const { return {buf_.data(), size_}; }

  // Starts an On-Demand walk of the loaded text.
  simdjson::simdjson_result<simdjson::ondemand::document> iterate();

 private:
  std::vector<char> buf_;
  size_t size_ = 0;
  simdjson::dom::parser dom_;
  simdjson::ondemand::parser ondemand_;
};

// True when `bytes` can be embedded verbatim as a JSON value in one output
// line: a valid JSON text without line breaks or surrounding whitespace, so
// that cutting the value back out of the line gives exactly `bytes`.
bool is_embeddable_json(std::string_view bytes, JsonText& scratch);

// The offset just past the JSON value that starts at `start` in a text that
// has already been validated. Stays within `text` even if it was not.
size_t json_value_end(std::string_view text, size_t start);

// Removes JSON whitespace from both ends.
std::string_view trim_json_space(std::string_view s);

}  // namespace esdb::cli
