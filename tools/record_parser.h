// JSON lines: one JSON object per line is one record.
//
//   {"customer":"c-1","ts":"2014-06-23T14:48:43Z","type":"purchase","total":42.99}
//
// The key, group and index values may be strings, numbers or booleans; a
// number keeps its exact source text (42.50 stays "42.50"). An array value
// of an index field indexes every element. A missing or null group, and a
// missing, null or empty index value, mean none. The time is an integer or a
// string holding an integer or RFC 3339 time (time_parse.h). The stored data
// is the object exactly as given, without surrounding whitespace.
#pragma once

#include <string>
#include <string_view>

#include "json_text.h"
#include "record.h"

namespace esdb::cli {

class JsonRecordParser {
 public:
  explicit JsonRecordParser(FieldSpec spec);

  // Parses one line into `out`. On failure returns false and says what is
  // wrong in `error` (without file or line; the caller adds those).
  bool parse(std::string_view line, Record& out, std::string& error);

 private:
  FieldSpec spec_;
  JsonText json_;
};

}  // namespace esdb::cli
