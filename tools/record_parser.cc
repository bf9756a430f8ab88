#include "record_parser.h"

#include <algorithm>

namespace esdb::cli {
namespace {

namespace od = simdjson::ondemand;

// A scalar's text: a string unescaped, a number or boolean as written.
// `present` is false for null.
bool scalar_text(od::value& v, std::string_view field, std::string_view& text, bool& present,
                 std::string& error) {
  od::json_type type;
  if (v.type().get(type)) {
    error = "field \"" + std::string(field) + "\": unreadable value";
    return false;
  }
  present = true;
  switch (type) {
    case od::json_type::string:
      if (!v.get_string().get(text)) return true;
      break;
    case od::json_type::number:
    case od::json_type::boolean:
      text = trim_json_space(v.raw_json_token());
      return true;
    case od::json_type::null:
      present = false;
      return true;
    default:
      error = "field \"" + std::string(field) + "\" must be a string, number or boolean";
      return false;
  }
  error = "field \"" + std::string(field) + "\": unreadable value";
  return false;
}

}  // namespace

JsonRecordParser::JsonRecordParser(FieldSpec spec) : spec_(std::move(spec)) {
  // A field named twice with --index would index every event twice.
  std::sort(spec_.indexes.begin(), spec_.indexes.end());
  spec_.indexes.erase(std::unique(spec_.indexes.begin(), spec_.indexes.end()), spec_.indexes.end());
}

bool JsonRecordParser::parse(std::string_view line, Record& out, std::string& error) {
  out.clear();
  const std::string_view text = trim_json_space(line);
  if (!json_.load(text, error)) return false;
  auto doc = json_.iterate();
  od::object object;
  if (doc.get_object().get(object)) {
    error = "expected a JSON object";
    return false;
  }
  bool have_key = false, have_time = false, have_group = false;
  for (auto field : object) {
    std::string_view name;
    od::value value;
    if (field.unescaped_key().get(name) || field.value().get(value)) {
      error = "unreadable field";
      return false;
    }
    // The first occurrence of a repeated name counts, for every role it has.
    const bool is_key = !have_key && name == spec_.key;
    const bool is_time = !have_time && name == spec_.time;
    const bool is_group = !have_group && !spec_.group.empty() && name == spec_.group;
    const bool is_index = std::binary_search(spec_.indexes.begin(), spec_.indexes.end(), name);
    if (!is_key && !is_time && !is_group && !is_index) continue;

    od::json_type type;
    if (value.type().get(type)) {
      error = "field \"" + std::string(name) + "\": unreadable value";
      return false;
    }
    if (type == od::json_type::array) {
      if (!is_index || is_key || is_time || is_group) {
        error = "field \"" + std::string(name) + "\" must be a string, number or boolean";
        return false;
      }
      od::array array;
      if (value.get_array().get(array)) {
        error = "field \"" + std::string(name) + "\": unreadable array";
        return false;
      }
      for (auto element : array) {
        od::value item;
        std::string_view item_text;
        bool present;
        if (element.get(item) || !scalar_text(item, name, item_text, present, error)) {
          if (error.empty()) error = "field \"" + std::string(name) + "\": unreadable element";
          return false;
        }
        if (present && !item_text.empty()) out.indexes.emplace_back(name, item_text);
      }
      continue;
    }
    std::string_view scalar;
    bool present;
    if (!scalar_text(value, name, scalar, present, error)) return false;
    if (is_key) {
      have_key = true;
      if (!present || scalar.empty()) {
        error = "key field \"" + spec_.key + "\" is empty";
        return false;
      }
      out.key = scalar;
    }
    if (is_time) {
      have_time = true;
      if (!present || type == od::json_type::boolean) {
        error = "time field \"" + spec_.time + "\" must be an integer or a time string";
        return false;
      }
      std::string why;
      if (!parse_time(scalar, spec_.unit, out.time, why)) {
        error = "time field \"" + spec_.time + "\": " + why;
        return false;
      }
    }
    if (is_group) {
      have_group = true;
      if (present) out.group = scalar;
    }
    if (is_index && present && !scalar.empty()) out.indexes.emplace_back(name, scalar);
  }
  if (!have_key) {
    error = "no key field \"" + spec_.key + "\"";
    return false;
  }
  if (!have_time) {
    error = "no time field \"" + spec_.time + "\"";
    return false;
  }
  // ["a","a"] would otherwise carry the same entry twice.
  std::sort(out.indexes.begin(), out.indexes.end());
  out.indexes.erase(std::unique(out.indexes.begin(), out.indexes.end()), out.indexes.end());
  out.data = text;
  return true;
}

}  // namespace esdb::cli
