// The events every system is given: generated from a seed, or read from
// JSON lines / CSV with the same field flags as `esdb build`.
//
// Events are held once, in input (arrival) order, with their data bytes in
// one arena; strings used by indexes and groups are interned. Every system
// reads the same Dataset, so none pays for parsing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace esdb::bench {

struct GeneratorOptions {
  uint64_t seed = 42;
  uint64_t events = 3'000'000;
  uint64_t keys = 100'000;
  double zipf_s = 0.8;       // events per key ~ 1 / rank^s
  bool group = false;        // store the "device" field as the event's group
};

class Dataset {
 public:
  struct IndexRef {
    uint32_t name;   // into strings()
    uint32_t value;  // into strings()
  };
  struct Event {
    uint64_t data_offset;  // into the arena
    int64_t timestamp;
    uint32_t data_size;
    uint32_t key;          // into keys()
    uint32_t group;        // into strings(); 0 = no group ("")
    uint32_t index_begin;  // into index_refs()
    uint32_t index_count;
  };

  Dataset();

  // Appends one event; `indexes` are (name, value) pairs.
  void add(std::string_view key, int64_t timestamp, std::string_view group,
           const std::vector<std::pair<std::string, std::string>>& indexes, std::string_view data);

  const std::vector<Event>& events() const { return events_; }
  const std::vector<std::string>& keys() const { return keys_; }
  std::string_view key(const Event& e) const { return keys_[e.key]; }
  std::string_view data(const Event& e) const { return {arena_.data() + e.data_offset, e.data_size}; }
  std::string_view group(const Event& e) const { return strings_[e.group]; }
  std::string_view str(uint32_t id) const { return strings_[id]; }
  const IndexRef* indexes(const Event& e) const { return index_refs_.data() + e.index_begin; }
  uint32_t intern(std::string_view s);

  uint64_t data_bytes() const { return arena_.size(); }
  // Input bytes: one line (the record and its newline) per event.
  uint64_t raw_bytes() const { return arena_.size() + events_.size(); }
  bool has_groups() const { return has_groups_; }
  // Index field names in the order first seen.
  const std::vector<uint32_t>& index_names() const { return index_names_; }

  // What the newest-first index scan looks for: the first index field and,
  // for generated data, "purchase"; otherwise its value of median frequency.
  std::string scan_index_name, scan_index_value;
  std::string describe;  // where the events came from, for the report

 private:
  std::vector<Event> events_;
  std::vector<std::string> keys_;
  std::unordered_map<std::string, uint32_t> key_ids_;
  std::vector<std::string> strings_;
  std::unordered_map<std::string, uint32_t> string_ids_;
  std::vector<IndexRef> index_refs_;
  std::vector<uint32_t> index_names_;
  std::string arena_;
  bool has_groups_ = false;
};

// Customer activity: keys with Zipf-skewed event counts, JSON records of
// 50-300 bytes (customer, ts in ms, type, device, session, type-specific
// fields), timestamps increasing per key with jitter and a few duplicates,
// delivered in global time order. Indexes: type (6 values) and sku
// (~20k values; a purchase indexes each item's sku). Deterministic per seed.
Dataset generate(const GeneratorOptions& options);

struct InputOptions {
  std::vector<std::string> paths;
  std::string key, time, group, time_unit = "s";
  std::vector<std::string> indexes;
  bool csv = false;
};

// Reads records exactly as `esdb build` does (its RecordReader); a bad
// record throws.
Dataset load(const InputOptions& options);

}  // namespace esdb::bench
