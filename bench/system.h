// What every benchmarked store does with the same events: build a file from
// them, open it, read one key's history, scan one index value newest first,
// and stream everything. One implementation per system, each using its
// library the way that library's users would.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "dataset.h"
#include "esdb/esdb.h"

namespace esdb::bench {

// Receives the events a read produces. The sum is order-independent, so
// forward and reverse reads of the same events agree across systems.
struct Sink {
  uint64_t events = 0, bytes = 0, check = 0;
  void event(int64_t timestamp, std::string_view data) {
    ++events;
    bytes += data.size();
    check += static_cast<uint64_t>(timestamp) * 31 + (data.empty() ? 0 : static_cast<unsigned char>(data[0]));
  }
};

class System {
 public:
  virtual ~System() = default;
  virtual std::string name() const = 0;
  // Builds at `path` from the events in input order. Runs in a forked child.
  virtual void build(const Dataset& d, const std::string& path) = 0;
  // The file or directory the build left (for its size and to warm it).
  virtual std::string output(const std::string& path) const { return path; }
  virtual void open(const std::string& path) = 0;
  virtual void close() = 0;
  // Every event of `key`, oldest first; false when the key is not stored.
  virtual bool history(std::string_view key, Sink& sink) = 0;
  // At most `limit` events of `key` carrying (name, value), newest first.
  virtual bool index_scan(std::string_view key, std::string_view name, std::string_view value, uint64_t limit,
                          Sink& sink) = 0;
  // The newest `limit` events of `key`, newest first; false when the key is
  // not stored.
  virtual bool newest(std::string_view key, uint64_t limit, Sink& sink) = 0;
  // Every event of the file.
  virtual void full_scan(Sink& sink) = 0;
};

std::unique_ptr<System> make_esdb(const WriterOptions& options, std::string label);
std::unique_ptr<System> make_rocksdb();
std::unique_ptr<System> make_leveldb();
std::unique_ptr<System> make_traildb();

// Keys sorted with ties in input order: the order key-value stores need.
std::vector<uint32_t> sorted_by_key_time(const Dataset& d);
// key | 0x00 | big-endian timestamp (sign bit flipped) | big-endian sequence:
// byte-wise order is (key, timestamp, sequence). Keys must not hold 0x00.
void kv_key(std::string& out, std::string_view key, int64_t timestamp, uint64_t sequence);
// The first and one-past-last kv_key of `key`.
std::string kv_lower(std::string_view key);
std::string kv_upper(std::string_view key);
// The timestamp a kv_key holds.
int64_t kv_timestamp(std::string_view kv_key);
// Index matching for the key-value stores, which have no secondary index:
// the stored JSON holds "name":"value" (true of the generated data).
std::string kv_pattern(std::string_view name, std::string_view value);

}  // namespace esdb::bench
