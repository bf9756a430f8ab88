// CSV with a header row (RFC 4180): each later row is one record.
//
//   customer,ts,type,total
//   c-1,1403534923,purchase,42.99
//   "c,2",1403534999,"say ""hi""",0
//
// Fields are separated by ','; a field in double quotes may hold ',', '""'
// for a quote, and line breaks (so a record can span lines). The stored
// data is the row as a JSON object of strings in column order,
// {"customer":"c-1","ts":"1403534923","type":"purchase","total":"42.99"};
// the tool does not guess types. An empty cell in the group or an index
// column means none. The input must be UTF-8; a leading byte order mark is
// dropped by the line reader.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "record.h"

namespace esdb::cli {

class CsvRecordParser {
 public:
  explicit CsvRecordParser(FieldSpec spec);

  // True when `text` holds a whole record, i.e. no quoted field is left
  // open; otherwise the caller appends the next line (with '\n') and asks again.
  static bool is_complete(std::string_view text);

  // The first record of an input: the column names. Fails when a name
  // repeats or a field of the spec is not a column.
  bool set_header(std::string_view record, std::string& error);

  // Parses one row into `out`; false with `error` on failure.
  bool parse(std::string_view record, Record& out, std::string& error);

 private:
  // Splits `record` into fields_; returns how many, or -1 with `error`.
  int split(std::string_view record, std::string& error);

  FieldSpec spec_;
  std::vector<std::string> header_;
  int key_col_ = -1, time_col_ = -1, group_col_ = -1;
  std::vector<int> index_cols_;
  std::vector<std::string> fields_;  // reused between rows
};

}  // namespace esdb::cli
