#include "dump_parser.h"

#include "base64.h"

namespace esdb::cli {
namespace {

namespace od = simdjson::ondemand;

bool read_string(od::value& v, std::string_view& out) { return !v.get_string().get(out); }

// A byte string: "text" or {"b64":"..."}.
bool read_bytes(od::value& v, std::string& out) {
  od::json_type type;
  if (v.type().get(type)) return false;
  std::string_view text;
  if (type == od::json_type::string) {
    if (!read_string(v, text)) return false;
    out.assign(text);
    return true;
  }
  od::object object;
  if (type != od::json_type::object || v.get_object().get(object)) return false;
  od::value b64;
  if (object.find_field("b64").get(b64) || !read_string(b64, text)) return false;
  return base64_decode(text, out);
}

bool read_indexes(od::value& v, Record& out, std::string& error) {
  error = "\"indexes\" must be an array of [name, value] pairs";
  od::array pairs;
  if (v.get_array().get(pairs)) return false;
  for (auto item : pairs) {
    od::array pair;
    if (item.get_array().get(pair)) return false;
    std::string parts[2];
    int n = 0;
    for (auto element : pair) {
      od::value part;
      if (n == 2 || element.get(part) || !read_bytes(part, parts[n])) return false;
      ++n;
    }
    if (n != 2) return false;
    out.indexes.emplace_back(std::move(parts[0]), std::move(parts[1]));
  }
  error.clear();
  return true;
}

}  // namespace

bool DumpRecordParser::parse(std::string_view line, Record& out, std::string& error) {
  out.clear();
  const std::string_view text = trim_json_space(line);
  if (!json_.load(text, error)) return false;
  const std::string_view loaded = json_.text();
  auto doc = json_.iterate();
  od::object object;
  if (doc.get_object().get(object)) {
    error = "expected a JSON object";
    return false;
  }
  int keys = 0, times = 0, groups = 0, datas = 0;
  for (auto field : object) {
    std::string_view name, str;
    od::value value;
    if (field.unescaped_key().get(name) || field.value().get(value)) {
      error = "unreadable field";
      return false;
    }
    bool ok = true;
    if (name == "key" || name == "group" || name == "data_text") {
      ok = read_string(value, str);
      if (ok) (name == "key" ? out.key : name == "group" ? out.group : out.data).assign(str);
    } else if (name == "key_b64" || name == "group_b64" || name == "data_b64") {
      ok = read_string(value, str) &&
           base64_decode(str, name == "key_b64" ? out.key : name == "group_b64" ? out.group : out.data);
    } else if (name == "time") {
      od::json_type type;
      ok = !value.type().get(type) && type == od::json_type::number &&
           parse_int64(trim_json_space(value.raw_json_token()), out.time);
    } else if (name == "data") {
      // The stored bytes are the value's exact source text.
      const char* start;
      ok = !value.current_location().get(start);
      if (ok) {
        const size_t offset = static_cast<size_t>(start - loaded.data());
        out.data.assign(loaded.substr(offset, json_value_end(loaded, offset) - offset));
      }
    } else if (name == "indexes") {
      if (!read_indexes(value, out, error)) return false;
      continue;
    } else {
      continue;
    }
    if (!ok) {
      error = "bad \"" + std::string(name) + "\" field";
      return false;
    }
    keys += name.starts_with("key");
    times += name == "time";
    groups += name.starts_with("group");
    datas += name.starts_with("data");
  }
  if (keys != 1 || times != 1 || groups > 1 || datas != 1) {
    error = keys != 1    ? "needs exactly one of \"key\", \"key_b64\""
            : times != 1 ? "needs exactly one \"time\""
            : groups > 1 ? "has more than one group field"
                         : "needs exactly one of \"data\", \"data_text\", \"data_b64\"";
    return false;
  }
  if (out.key.empty()) {
    error = "key is empty";
    return false;
  }
  return true;
}

}  // namespace esdb::cli
