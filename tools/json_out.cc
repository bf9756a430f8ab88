#include "json_out.h"

#include <charconv>

#include "base64.h"

namespace esdb::cli {

bool is_utf8(std::string_view bytes) { return simdjson::validate_utf8(bytes.data(), bytes.size()); }

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void append_bytes_field(std::string& out, std::string_view name, std::string_view bytes) {
  out += '"';
  out += name;
  if (is_utf8(bytes)) {
    out += "\":";
    append_json_string(out, bytes);
  } else {
    out += "_b64\":\"";
    base64_append(out, bytes);
    out += '"';
  }
}

void append_bytes_value(std::string& out, std::string_view bytes) {
  if (is_utf8(bytes)) {
    append_json_string(out, bytes);
  } else {
    out += "{\"b64\":\"";
    base64_append(out, bytes);
    out += "\"}";
  }
}

void EnvelopeWriter::append(std::string& out, const Event& e, bool with_indexes) {
  out += '{';
  append_bytes_field(out, "key", e.key);
  out += ",\"time\":";
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, e.timestamp);
  (void)ec;  // 24 bytes always hold an int64
  out.append(digits, end);
  out += ',';
  append_bytes_field(out, "group", e.group);
  out += ',';
  if (is_embeddable_json(e.data, scratch_)) {
    out += "\"data\":";
    out += e.data;
  } else if (is_utf8(e.data)) {
    out += "\"data_text\":";
    append_json_string(out, e.data);
  } else {
    out += "\"data_b64\":\"";
    base64_append(out, e.data);
    out += '"';
  }
  if (with_indexes) {
    out += ",\"indexes\":[";
    for (size_t i = 0; i < e.indexes.size(); ++i) {
      if (i) out += ',';
      out += '[';
      append_bytes_value(out, e.indexes[i].name);
      out += ',';
      append_bytes_value(out, e.indexes[i].value);
      out += ']';
    }
    out += ']';
  }
  out += '}';
}

}  // namespace esdb::cli
