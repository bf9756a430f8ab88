// Reading a record's roles (key, time, group, index values) out of one JSON
// object, for both ways JSON lines are parsed: one line at a time after
// simdjson's DOM parser validated it (record_parser.h), and many lines in
// one document stream, validated by this same walk (json_batch_parser.h).
//
// The key, group and index values may be strings, numbers or booleans; a
// number keeps its exact source text (42.50 stays "42.50"). An array value
// of an index field indexes every element. A missing or null group, and a
// missing, null or empty index value, mean none. The time is an integer or a
// string holding an integer or RFC 3339 time (time_parse.h).
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "record.h"

namespace esdb::cli {

// The roles found in one object. A string without escapes is a view into
// the JSON text itself; an unescaped one points into the parser's buffer.
// Either way the views hold until the parser moves on. Index names point
// into the reader's FieldSpec. Index entries are sorted and unique.
struct JsonFields {
  std::string_view key;
  int64_t time = 0;
  std::string_view group;
  std::vector<std::pair<std::string_view, std::string_view>> indexes;
};

class JsonFieldReader {
 public:
  explicit JsonFieldReader(FieldSpec spec);

  // Reads the roles of `object`. With `validate`, every value not read for a
  // role is walked and checked too, so that an object that passes is valid
  // JSON (simdjson On-Demand otherwise skips what it is not asked for).
  // False with `error` (without file or line) on failure.
  bool read(simdjson::ondemand::object& object, bool validate, JsonFields& out, std::string& error);

  // The index fields, sorted and unique; JsonFields::indexes names point here.
  const std::vector<std::string>& index_names() const { return spec_.indexes; }

 private:
  FieldSpec spec_;
};

}  // namespace esdb::cli
