// The key scheme RocksDB and LevelDB share (system.h).
#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "system.h"

namespace esdb::bench {
namespace {

void put_be64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

}  // namespace

void kv_key(std::string& out, std::string_view key, int64_t timestamp, uint64_t sequence) {
  if (key.find('\0') != std::string_view::npos) throw std::runtime_error("a key holds a 0x00 byte");
  out.assign(key);
  out.push_back('\0');
  put_be64(out, static_cast<uint64_t>(timestamp) ^ (uint64_t{1} << 63));
  put_be64(out, sequence);
}

std::string kv_lower(std::string_view key) {
  std::string s(key);
  s.push_back('\0');
  return s;
}
std::string kv_upper(std::string_view key) {
  std::string s = kv_lower(key);
  s.append(16, '\xff');
  return s;
}

int64_t kv_timestamp(std::string_view kv_key) {
  uint64_t v = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(kv_key.data() + kv_key.size() - 16);
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return static_cast<int64_t>(v ^ (uint64_t{1} << 63));
}

std::string kv_pattern(std::string_view name, std::string_view value) {
  std::string s = "\"";
  s.append(name).append("\":\"").append(value).push_back('"');
  return s;
}

std::vector<uint32_t> sorted_by_key_time(const Dataset& d) {
  // Rank the distinct keys once, then sort compact (rank, time, number)
  // entries: no string compares and no chasing of events in the sort, so
  // the key-value stores' builds pay only for the cheapest sort a caller
  // holding the events in memory could do.
  std::vector<uint32_t> by_name(d.keys().size());
  std::iota(by_name.begin(), by_name.end(), 0u);
  std::sort(by_name.begin(), by_name.end(), [&](uint32_t a, uint32_t b) { return d.keys()[a] < d.keys()[b]; });
  std::vector<uint32_t> rank(by_name.size());
  for (uint32_t r = 0; r < by_name.size(); ++r) rank[by_name[r]] = r;
  struct Item {
    uint32_t rank, event;
    int64_t timestamp;
  };
  const auto& ev = d.events();
  std::vector<Item> items(ev.size());
  for (uint32_t i = 0; i < ev.size(); ++i) items[i] = {rank[ev[i].key], i, ev[i].timestamp};
  std::sort(items.begin(), items.end(), [](const Item& x, const Item& y) {
    if (x.rank != y.rank) return x.rank < y.rank;
    if (x.timestamp != y.timestamp) return x.timestamp < y.timestamp;
    return x.event < y.event;
  });
  std::vector<uint32_t> order(ev.size());
  for (size_t i = 0; i < items.size(); ++i) order[i] = items[i].event;
  return order;
}

}  // namespace esdb::bench
