#include "reference.h"

#include <snappy.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "measure.h"
#include "system.h"

namespace esdb::bench {
namespace {

struct Blocks {
  std::vector<std::string> compressed;
  std::vector<size_t> sizes;
  uint64_t compressed_bytes = 0;
  size_t largest = 1;
};

// Decompresses every block once; seconds taken.
double decompress_all(const Blocks& b, std::string& out) {
  const double t0 = now_seconds();
  for (const std::string& c : b.compressed) {
    if (!snappy::RawUncompress(c.data(), c.size(), out.data())) throw std::runtime_error("snappy failed");
    asm volatile("" : : "r"(out.data()) : "memory");
  }
  return now_seconds() - t0;
}

// The same blocks as zstd frames, one context for all (as a reading thread
// of esdb keeps one); seconds taken.
double zstd_decompress_all(const std::vector<std::string>& frames, const std::vector<size_t>& sizes,
                           ZSTD_DCtx* ctx, std::string& out) {
  const double t0 = now_seconds();
  for (size_t i = 0; i < frames.size(); ++i) {
    const size_t n = ZSTD_decompressDCtx(ctx, out.data(), sizes[i], frames[i].data(), frames[i].size());
    if (n != sizes[i]) throw std::runtime_error("zstd failed");
    asm volatile("" : : "r"(out.data()) : "memory");
  }
  return now_seconds() - t0;
}

std::vector<std::string> zstd_blocks(const std::string& raw, const std::vector<size_t>& sizes, int level,
                                     uint64_t& total) {
  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> ctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  std::vector<std::string> frames;
  frames.reserve(sizes.size());
  size_t off = 0;
  for (size_t s : sizes) {
    std::string f(ZSTD_compressBound(s), '\0');
    const size_t n = ZSTD_compressCCtx(ctx.get(), f.data(), f.size(), raw.data() + off, s, level);
    if (ZSTD_isError(n)) throw std::runtime_error("zstd compression failed");
    f.resize(n);
    total += n;
    frames.push_back(std::move(f));
    off += s;
  }
  return frames;
}

}  // namespace

Reference measure_reference(const Dataset& d, uint64_t chunk_size, int zstd_level, int runs) {
  const std::vector<uint32_t> order = sorted_by_key_time(d);
  std::string raw;
  raw.reserve(d.data_bytes());
  for (uint32_t i : order) raw.append(d.data(d.events()[i]));

  Blocks continuous, per_key;
  const auto cut = [&](Blocks& b, size_t begin, size_t end) {
    if (end == begin) return;
    b.compressed.emplace_back();
    snappy::Compress(raw.data() + begin, end - begin, &b.compressed.back());
    b.compressed_bytes += b.compressed.back().size();
    b.sizes.push_back(end - begin);
    b.largest = std::max(b.largest, end - begin);
  };
  // Continuous: cut once a block reaches chunk_size, at an event boundary.
  size_t begin = 0, pos = 0;
  for (uint32_t i : order) {
    pos += d.events()[i].data_size;
    if (pos - begin >= chunk_size) {
      cut(continuous, begin, pos);
      begin = pos;
    }
  }
  cut(continuous, begin, pos);
  // Per key: a new block at each key or group, or before passing chunk_size.
  begin = pos = 0;
  const Dataset::Event* prev = nullptr;
  for (uint32_t i : order) {
    const Dataset::Event& e = d.events()[i];
    if (prev != nullptr && (prev->key != e.key || prev->group != e.group || pos - begin + e.data_size > chunk_size)) {
      cut(per_key, begin, pos);
      begin = pos;
    }
    pos += e.data_size;
    prev = &e;
  }
  cut(per_key, begin, pos);

  Reference r;
  r.chunk_size = chunk_size;
  r.raw_bytes = raw.size();
  r.compressed_bytes = continuous.compressed_bytes;
  r.blocks = continuous.compressed.size();
  r.per_key_compressed_bytes = per_key.compressed_bytes;
  r.per_key_blocks = per_key.compressed.size();
  r.zstd_level = zstd_level;
  const std::vector<std::string> frames = zstd_blocks(raw, per_key.sizes, zstd_level, r.zstd_per_key_compressed_bytes);
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  std::string out(std::max(continuous.largest, per_key.largest), '\0');
  const double mb = static_cast<double>(raw.size()) / 1e6;
  for (int run = 0; run < runs; ++run) {
    r.snappy_mb_s = std::max(r.snappy_mb_s, mb / decompress_all(continuous, out));
    r.snappy_per_key_mb_s = std::max(r.snappy_per_key_mb_s, mb / decompress_all(per_key, out));
    r.zstd_per_key_mb_s =
        std::max(r.zstd_per_key_mb_s, mb / zstd_decompress_all(frames, per_key.sizes, dctx.get(), out));
    const double t0 = now_seconds();
    size_t off = 0;
    for (size_t s : continuous.sizes) {
      std::memcpy(out.data(), raw.data() + off, s);
      off += s;
      asm volatile("" : : "r"(out.data()) : "memory");
    }
    r.memcpy_mb_s = std::max(r.memcpy_mb_s, mb / (now_seconds() - t0));
  }
  return r;
}

}  // namespace esdb::bench
