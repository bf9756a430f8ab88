#include "reference.h"

#include <snappy.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "measure.h"
#include "system.h"

namespace esdb::bench {

Reference measure_reference(const Dataset& d, uint64_t chunk_size, int runs) {
  // The events' data in file order, cut at event boundaries once a chunk
  // reaches chunk_size, as a per-key chunked file would hold them.
  std::string raw;
  raw.reserve(d.data_bytes());
  for (uint32_t i : sorted_by_key_time(d)) raw.append(d.data(d.events()[i]));
  std::vector<std::string> chunks;
  std::vector<size_t> sizes;
  size_t begin = 0;
  const auto cut = [&](size_t end) {
    chunks.emplace_back();
    snappy::Compress(raw.data() + begin, end - begin, &chunks.back());
    sizes.push_back(end - begin);
    begin = end;
  };
  size_t pos = 0;
  for (uint32_t i : sorted_by_key_time(d)) {
    pos += d.events()[i].data_size;
    if (pos - begin >= chunk_size) cut(pos);
  }
  if (pos > begin) cut(pos);

  if (sizes.empty()) sizes.push_back(0);
  Reference r;
  r.chunk_size = chunk_size;
  r.raw_bytes = raw.size();
  for (const std::string& c : chunks) r.compressed_bytes += c.size();
  std::string out(std::max<size_t>(1, *std::max_element(sizes.begin(), sizes.end())), '\0');
  for (int run = 0; run < runs; ++run) {
    const double t0 = now_seconds();
    for (const std::string& c : chunks) {
      if (!snappy::RawUncompress(c.data(), c.size(), out.data())) throw std::runtime_error("snappy failed");
    }
    const double t1 = now_seconds();
    size_t off = 0;
    for (size_t s : sizes) {
      std::memcpy(out.data(), raw.data() + off, s);
      off += s;
      asm volatile("" : : "r"(out.data()) : "memory");
    }
    const double t2 = now_seconds();
    r.snappy_mb_s = std::max(r.snappy_mb_s, static_cast<double>(raw.size()) / (t1 - t0) / 1e6);
    r.memcpy_mb_s = std::max(r.memcpy_mb_s, static_cast<double>(raw.size()) / (t2 - t1) / 1e6);
  }
  return r;
}

}  // namespace esdb::bench
