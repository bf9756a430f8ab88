// JSON lines, one line at a time: one JSON object per line is one record,
//
//   {"customer":"c-1","ts":"2014-06-23T14:48:43Z","type":"purchase","total":42.99}
//
// with its roles read as json_fields.h describes. The stored data is the
// object exactly as given, without surrounding whitespace. Bulk reading
// (json_batch_parser.h) falls back to this parser for a block it cannot
// take whole, so the two accept the same lines and say the same errors.
#pragma once

#include <string>
#include <string_view>

#include "json_fields.h"
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
  JsonFieldReader fields_;
  JsonFields found_;
  JsonText json_;
};

}  // namespace esdb::cli
