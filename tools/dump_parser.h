// Reads back the envelope lines `esdb dump` writes (json_out.h describes
// them) for `esdb build --from-dump`. Every byte of key, group, data and
// index entries and the timestamp come back exactly. "key"/"key_b64",
// "time" and one of "data"/"data_text"/"data_b64" are required; "group" and
// "indexes" are optional; other fields are ignored.
#pragma once

#include <string>
#include <string_view>

#include "json_text.h"
#include "record.h"

namespace esdb::cli {

class DumpRecordParser {
 public:
  // Parses one line into `out`; false with `error` on failure.
  bool parse(std::string_view line, Record& out, std::string& error);

 private:
  JsonText json_;
};

}  // namespace esdb::cli
