// One space (the events of one key) of a Go ESDB file, cross-checked and
// turned into esdb events.
//
//   space:   0x2A | section* (in byte-wise order of their names) | space index table | fixed64 table length
//   table:   section name -> offset: uvarint | length: uvarint (space-relative)
//   "g" + grouping:    record* | 0x00       record = data_len: uvarint | timestamp: fixed32 | data
//   "i" + name:value:  entry* | 0x00        entry  = block: fixed64 | offset: fixed16
//
// Records are newest first; equal timestamps in the order Go was given them.
// An index entry names the block header (space-relative) of the grouping
// section where its event's record starts and the record's position in that
// block's 4096 uncompressed bytes (4096 = the next block's first byte).
// Entries are counted by the section's length, (bytes - 1) / 10, not by the
// Go reader's stop at a zero byte, and each must hit a record start.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "esdb/esdb.h"
#include "goesdb/block_stream.h"
#include "goesdb/go_file.h"

namespace esdb::goesdb {

struct SpaceCounts {
  uint64_t events = 0;
  uint64_t groupings = 0;
  uint64_t index_sections = 0;  // distinct (name, value) of the space
  uint64_t index_entries = 0;
  uint64_t data_bytes = 0;
};

class Space {
 public:
  // Parses the space index and every section's records and index entries;
  // the event data is read only by for_each_event.
  Space(const GoFile& f, std::string key, uint64_t offset, uint64_t length);

  const std::string& key() const { return key_; }
  const SpaceCounts& counts() const { return counts_; }
  // Every event with its grouping as group and its index entries; groupings
  // in byte-wise order, oldest first within each (Go's order reversed, so
  // equal timestamps come in the reverse of the order Go was given them).
  void for_each_event(const std::function<void(const EventInput&)>& fn);

 private:
  struct Section {
    std::string name;  // without the "g" / "i" prefix
    uint64_t offset = 0;  // absolute
    uint64_t length = 0;
  };
  struct Record {
    uint64_t start = 0;  // stream position of data_len
    uint64_t data = 0;   // stream position of the data
    uint64_t data_len = 0;
    uint32_t timestamp = 0;
  };
  struct Grouping {
    Section section;
    std::unique_ptr<BlockStream> blocks;
    std::vector<Record> records;  // as stored: newest first
    uint64_t first_event = 0;     // global number of records[0]
  };
  struct IndexName {
    std::string_view name, value;  // point into the section names
  };

  void read_grouping(Grouping& g);
  void read_index(uint32_t index_number);
  uint64_t event_at(uint64_t blame, uint64_t block, uint64_t in_block) const;
  [[noreturn]] void unsupported(uint64_t offset, const std::string& what) const;

  const GoFile& f_;
  std::string key_;
  uint64_t offset_ = 0;
  std::vector<Grouping> groupings_;      // by offset (= by name)
  std::vector<Section> index_sections_;  // by name
  std::vector<IndexName> index_names_;   // parallel to index_sections_
  // (global event number, index section number), sorted once all are read.
  std::vector<std::pair<uint64_t, uint32_t>> postings_;
  SpaceCounts counts_;
};

}  // namespace esdb::goesdb
