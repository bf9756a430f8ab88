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

std::string kv_lower(std::string_view key) { return std::string(key) + '\0'; }
std::string kv_upper(std::string_view key) { return std::string(key) + '\0' + std::string(16, '\xff'); }

std::string kv_pattern(std::string_view name, std::string_view value) {
  return "\"" + std::string(name) + "\":\"" + std::string(value) + "\"";
}

std::vector<uint32_t> sorted_by_key_time(const Dataset& d) {
  const auto& ev = d.events();
  std::vector<uint32_t> order(ev.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const Dataset::Event& x = ev[a];
    const Dataset::Event& y = ev[b];
    if (const int c = d.key(x).compare(d.key(y)); c != 0) return c < 0;
    if (x.timestamp != y.timestamp) return x.timestamp < y.timestamp;
    return a < b;
  });
  return order;
}

}  // namespace esdb::bench
