// One input record, parsed and ready for Writer::add, and which input fields
// supply its parts. The record parsers (record_parser.h, csv_parser.h,
// dump_parser.h) fill it; they never throw on hostile input (only
// std::bad_alloc), so a fuzzer can drive them directly.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "esdb/esdb.h"
#include "time_parse.h"

namespace esdb::cli {

struct Record {
  std::string key;
  int64_t time = 0;
  std::string group;  // empty = the key's default group
  std::vector<std::pair<std::string, std::string>> indexes;
  std::string data;

  void clear() {
    key.clear();
    time = 0;
    group.clear();
    indexes.clear();
    data.clear();
  }

  // Points `event` at this record; valid while the record is unchanged.
  void to_event(EventInput& event) const {
    event.key = key;
    event.timestamp = time;
    event.group = group;
    event.data = data;
    event.indexes.clear();
    for (const auto& [name, value] : indexes) event.indexes.push_back({name, value});
  }
};

// Which fields of a JSON object or CSV row make up a record (build's
// --key, --time, --group, --index and --time-unit).
struct FieldSpec {
  std::string key;
  std::string time;
  std::string group;                 // empty = every event in the default group
  std::vector<std::string> indexes;  // each indexes the event under (name, value)
  TimeUnit unit = TimeUnit::s;
};

}  // namespace esdb::cli
