// Many parsed records of one input, handed from the parsing thread to the
// thread calling Writer::add as one unit (batch_queue.h). A record's strings
// are views: into `text` (the input lines themselves, for JSON lines read
// in bulk), into `strings` (a value that had to be unescaped) or into
// `records` (records parsed one at a time). A batch is reused, so its
// buffers stop growing once warm.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "esdb/esdb.h"
#include "record.h"

namespace esdb::cli {

struct RecordBatch {
  struct Item {
    uint64_t line = 0;  // where the record began in its input
    int64_t time = 0;
    std::string_view key, group, data;
    uint32_t index_begin = 0, index_count = 0;  // into `indexes`
    std::string_view error;  // non-empty: a bad record, "file:line: what"
  };

  std::string name;         // the input, for messages
  uint64_t bytes_read = 0;  // of the input, when the batch was cut
  std::vector<Item> items;
  std::vector<IndexEntry> indexes;
  std::vector<char> text;             // the input lines (bulk JSON)
  std::deque<std::string> strings;    // unescaped values, error messages
  std::deque<Record> records;         // records parsed one at a time
  // Set by RecordBatcher::read(): text[0, text_size) holds JSON lines from
  // line first_line on, not parsed yet (BatchParser::parse).
  bool unparsed = false;
  size_t text_size = 0;
  uint64_t first_line = 0;

  void clear() {
    unparsed = false;
    items.clear();
    indexes.clear();
    strings.clear();
    records.clear();
  }

  // A string that lives as long as the batch's contents.
  std::string_view keep(std::string s) { return strings.emplace_back(std::move(s)); }

  // Adds a record parsed one at a time (moved in) or a bad one.
  void add(uint64_t line, Record&& r) {
    const Record& kept = records.emplace_back(std::move(r));
    Item item{line, kept.time, kept.key, kept.group, kept.data, static_cast<uint32_t>(indexes.size()),
              static_cast<uint32_t>(kept.indexes.size()), {}};
    for (const auto& [name, value] : kept.indexes) indexes.push_back({name, value});
    items.push_back(item);
  }
  void add_bad(uint64_t line, std::string error) {
    Item item;
    item.line = line;
    item.error = keep(std::move(error));
    items.push_back(item);
  }

  // Points `event` at an item; valid while the batch is unchanged.
  void to_event(const Item& item, EventInput& event) const {
    event.key = item.key;
    event.timestamp = item.time;
    event.group = item.group;
    event.data = item.data;
    event.indexes.assign(indexes.begin() + item.index_begin,
                         indexes.begin() + item.index_begin + item.index_count);
  }
};

}  // namespace esdb::cli
