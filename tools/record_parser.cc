#include "record_parser.h"

namespace esdb::cli {

JsonRecordParser::JsonRecordParser(FieldSpec spec) : fields_(std::move(spec)) {}

bool JsonRecordParser::parse(std::string_view line, Record& out, std::string& error) {
  out.clear();
  const std::string_view text = trim_json_space(line);
  if (!json_.load(text, error)) return false;  // validated here, so the walk need not
  auto doc = json_.iterate();
  simdjson::ondemand::object object;
  if (doc.get_object().get(object)) {
    error = "expected a JSON object";
    return false;
  }
  if (!fields_.read(object, false, found_, error)) return false;
  out.key = found_.key;
  out.time = found_.time;
  out.group = found_.group;
  for (const auto& [name, value] : found_.indexes) out.indexes.emplace_back(name, value);
  out.data = text;
  return true;
}

}  // namespace esdb::cli
