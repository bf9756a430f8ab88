#include "json_fields.h"

#include <algorithm>
#include <cstring>

#include "json_text.h"

namespace esdb::cli {
namespace {

namespace od = simdjson::ondemand;

// Checks a value On-Demand did not read: every string unescapes, every
// number and literal parses. Deep nesting is bounded by simdjson's depth
// limit, which fails the walk before this recursion grows large.
bool valid_value(od::value value) {
  od::json_type type;
  if (value.type().get(type)) return false;
  switch (type) {
    case od::json_type::object: {
      od::object object;
      if (value.get_object().get(object)) return false;
      for (auto field : object) {
        std::string_view name;
        od::value inner;
        if (field.unescaped_key().get(name) || field.value().get(inner) || !valid_value(inner)) return false;
      }
      return true;
    }
    case od::json_type::array: {
      od::array array;
      if (value.get_array().get(array)) return false;
      for (auto element : array) {
        od::value inner;
        if (element.get(inner) || !valid_value(inner)) return false;
      }
      return true;
    }
    case od::json_type::string: {
      std::string_view s;
      return !value.get_string().get(s);
    }
    case od::json_type::number: {
      od::number n;
      return !value.get_number().get(n);
    }
    case od::json_type::boolean: {
      bool b;
      return !value.get_bool().get(b);
    }
    case od::json_type::null: {
      bool null = false;
      return !value.is_null().get(null) && null;
    }
  }
  return false;
}

// A scalar's text: a string unescaped (a view into the source when it had
// no escapes), a number or boolean as written. `present` is false for null.
bool scalar_text(od::value& v, std::string_view field, bool validate, std::string_view& text, bool& present,
                 std::string& error) {
  od::json_type type;
  if (v.type().get(type)) {
    error = "field \"" + std::string(field) + "\": unreadable value";
    return false;
  }
  present = true;
  const std::string_view raw = v.raw_json_token();
  switch (type) {
    case od::json_type::string: {
      std::string_view s;
      if (v.get_string().get(s)) break;
      // Unchanged by unescaping: the source bytes outlive the parser's buffer.
      const bool plain = raw.size() >= s.size() + 2 && raw[s.size() + 1] == '"' &&
                         (s.empty() || std::memcmp(raw.data() + 1, s.data(), s.size()) == 0);
      text = plain ? raw.substr(1, s.size()) : s;
      return true;
    }
    case od::json_type::number: {
      od::number n;
      if (validate && v.get_number().get(n)) break;
      text = trim_json_space(raw);
      return true;
    }
    case od::json_type::boolean: {
      bool b;
      if (validate && v.get_bool().get(b)) break;
      text = trim_json_space(raw);
      return true;
    }
    case od::json_type::null: {
      bool null = false;
      if (validate && (v.is_null().get(null) || !null)) break;
      present = false;
      return true;
    }
    default:
      error = "field \"" + std::string(field) + "\" must be a string, number or boolean";
      return false;
  }
  error = "field \"" + std::string(field) + "\": unreadable value";
  return false;
}

}  // namespace

JsonFieldReader::JsonFieldReader(FieldSpec spec) : spec_(std::move(spec)) {
  // A field named twice with --index would index every event twice.
  std::sort(spec_.indexes.begin(), spec_.indexes.end());
  spec_.indexes.erase(std::unique(spec_.indexes.begin(), spec_.indexes.end()), spec_.indexes.end());
}

bool JsonFieldReader::read(od::object& object, bool validate, JsonFields& out, std::string& error) {
  out.group = {};
  out.indexes.clear();
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
    // Most fields have no role: comparing lengths first spares them a
    // memcmp call per index field, which a binary search made for each.
    const std::string* index = nullptr;
    for (const std::string& n : spec_.indexes) {
      if (n.size() == name.size() && n == name) {
        index = &n;
        break;
      }
    }
    const bool is_index = index != nullptr;
    if (!is_key && !is_time && !is_group && !is_index) {
      if (validate && !valid_value(value)) {
        error = "invalid JSON";
        return false;
      }
      continue;
    }
    const std::string_view index_name = is_index ? std::string_view(*index) : std::string_view();

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
        if (element.get(item) || !scalar_text(item, index_name, validate, item_text, present, error)) {
          if (error.empty()) error = "field \"" + std::string(index_name) + "\": unreadable element";
          return false;
        }
        if (present && !item_text.empty()) out.indexes.emplace_back(index_name, item_text);
      }
      continue;
    }
    std::string_view scalar;
    bool present;
    if (!scalar_text(value, name, validate, scalar, present, error)) return false;
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
    if (is_index && present && !scalar.empty()) out.indexes.emplace_back(index_name, scalar);
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
  return true;
}

}  // namespace esdb::cli
