// esdb_zstd_probe: what a per-file zstd dictionary would buy a zstd file's
// reads (issue #12), before anyone changes the format for it. It cuts the
// event data of FILE as the writer cuts chunks (a new block at each key or
// group, or before passing 32 KiB) and decodes every block once with Snappy,
// with plain zstd at LEVEL, and with zstd at LEVEL on a dictionary trained
// from a sample of the blocks (its entropy tables digested once, as a
// reader would hold them per open file). Count instructions, not time:
//
//   valgrind --tool=callgrind --toggle-collect='*decode_*'
//            esdb_zstd_probe FILE [LEVEL=7] [DICT_KIB=64] [MAX_BLOCK|all] [STRIDE=8]
//
// then read the inclusive Ir of decode_snappy, decode_zstd, decode_zstd_dict,
// decode_zstd_dict_raw_literals
// (callgrind_annotate --inclusive=yes) beside the sizes printed. MAX_BLOCK
// keeps only the blocks of at most that many bytes (after training on all):
// the small keys that a median lookup reads.
#include <snappy.h>
#include <zdict.h>
#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_c_literalCompressionMode, for the raw-literals variant
#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "esdb/esdb.h"

using namespace esdb;

namespace {

struct Blocks {
  std::vector<std::string> raw, snappy, zstd, zstd_dict, zstd_dict_raw_literals;
  size_t raw_bytes = 0;
};

size_t total(const std::vector<std::string>& v) {
  size_t n = 0;
  for (const std::string& s : v) n += s.size();
  return n;
}

// Kept out of line so that callgrind counts each decoder alone.
[[gnu::noinline]] size_t decode_snappy(const Blocks& b, std::string& out) {
  size_t n = 0;
  for (size_t i = 0; i < b.snappy.size(); ++i) {
    if (!snappy::RawUncompress(b.snappy[i].data(), b.snappy[i].size(), out.data())) throw std::runtime_error("snappy");
    n += b.raw[i].size();
  }
  return n;
}

// One frame per block, one context for all, as an esdb reading thread.
template <typename Decode>
size_t each_frame(const std::vector<std::string>& frames, const Blocks& b, std::string& out, Decode decode) {
  size_t n = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const size_t r = decode(out.data(), b.raw[i].size(), frames[i]);
    if (r != b.raw[i].size()) throw std::runtime_error("zstd");
    n += r;
  }
  return n;
}

[[gnu::noinline]] size_t decode_zstd(const Blocks& b, ZSTD_DCtx* ctx, std::string& out) {
  return each_frame(b.zstd, b, out, [&](char* dst, size_t cap, const std::string& f) {
    return ZSTD_decompressDCtx(ctx, dst, cap, f.data(), f.size());
  });
}

[[gnu::noinline]] size_t decode_zstd_dict(const Blocks& b, ZSTD_DCtx* ctx, const ZSTD_DDict* dict, std::string& out) {
  return each_frame(b.zstd_dict, b, out, [&](char* dst, size_t cap, const std::string& f) {
    return ZSTD_decompress_usingDDict(ctx, dst, cap, f.data(), f.size(), dict);
  });
}

// The dictionary's entropy tables for matches, but literals stored raw: no
// Huffman table to build or walk per frame.
[[gnu::noinline]] size_t decode_zstd_dict_raw_literals(const Blocks& b, ZSTD_DCtx* ctx, const ZSTD_DDict* dict,
                                                       std::string& out) {
  return each_frame(b.zstd_dict_raw_literals, b, out, [&](char* dst, size_t cap, const std::string& f) {
    return ZSTD_decompress_usingDDict(ctx, dst, cap, f.data(), f.size(), dict);
  });
}

Blocks cut(const Reader& reader) {
  Blocks b;
  for (const Key& k : reader.keys()) {
    std::string block, group;
    bool first = true;
    for (const Event& e : k.scan()) {
      if (!first && (e.group != group || block.size() + e.data.size() > 32768)) {
        b.raw.push_back(std::move(block));
        block.clear();
      }
      first = false;
      group = e.group;
      block.append(e.data);
    }
    if (!block.empty()) b.raw.push_back(std::move(block));
  }
  for (const std::string& r : b.raw) b.raw_bytes += r.size();
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: esdb_zstd_probe FILE [LEVEL=7] [DICT_KIB=64] [MAX_BLOCK|all] [STRIDE=8]\n");
    return 2;
  }
  const int level = argc > 2 ? std::atoi(argv[2]) : 7;
  const size_t dict_bytes = (argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 64) << 10;
  Blocks b = cut(Reader::open(argv[1]));
  size_t largest = 1;
  for (const std::string& r : b.raw) largest = std::max(largest, r.size());

  // Train on every STRIDE-th block from the file's start, up to ~100x the
  // dictionary: STRIDE 1 is what a writer has at hand after its first
  // chunks; a larger one samples more of the file.
  const size_t stride = argc > 5 ? std::max(1ul, std::strtoul(argv[5], nullptr, 10)) : 8;
  std::string samples;
  std::vector<size_t> sample_sizes;
  for (size_t i = 0; i < b.raw.size() && samples.size() < 100 * dict_bytes; i += stride) {
    samples += b.raw[i];
    sample_sizes.push_back(b.raw[i].size());
  }
  std::string dict(dict_bytes, '\0');
  const size_t dn = ZDICT_trainFromBuffer(dict.data(), dict.size(), samples.data(), sample_sizes.data(),
                                          static_cast<unsigned>(sample_sizes.size()));
  if (ZDICT_isError(dn)) throw std::runtime_error(ZDICT_getErrorName(dn));
  dict.resize(dn);

  if (argc > 4 && std::string(argv[4]) != "all") {
    const size_t max_block = std::strtoul(argv[4], nullptr, 10);
    std::erase_if(b.raw, [&](const std::string& r) { return r.size() > max_block; });
    b.raw_bytes = 0;
    for (const std::string& r : b.raw) b.raw_bytes += r.size();
  }
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CDict* cdict = ZSTD_createCDict(dict.data(), dict.size(), level);
  for (const std::string& r : b.raw) {
    std::string s;
    snappy::Compress(r.data(), r.size(), &s);
    b.snappy.push_back(std::move(s));
    std::string z(ZSTD_compressBound(r.size()), '\0');
    z.resize(ZSTD_compressCCtx(cctx, z.data(), z.size(), r.data(), r.size(), level));
    b.zstd.push_back(std::move(z));
    std::string zd(ZSTD_compressBound(r.size()), '\0');
    zd.resize(ZSTD_compress_usingCDict(cctx, zd.data(), zd.size(), r.data(), r.size(), cdict));
    b.zstd_dict.push_back(std::move(zd));
  }
  ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_refCDict(cctx, cdict);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_literalCompressionMode, ZSTD_ps_disable);
  for (const std::string& r : b.raw) {
    std::string zd(ZSTD_compressBound(r.size()), '\0');
    zd.resize(ZSTD_compress2(cctx, zd.data(), zd.size(), r.data(), r.size()));
    b.zstd_dict_raw_literals.push_back(std::move(zd));
  }
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  ZSTD_DDict* ddict = ZSTD_createDDict(dict.data(), dict.size());
  std::string out(largest, '\0');
  const size_t a = decode_snappy(b, out);
  const size_t z = decode_zstd(b, dctx, out);
  const size_t zd = decode_zstd_dict(b, dctx, ddict, out);
  const size_t zr = decode_zstd_dict_raw_literals(b, dctx, ddict, out);
  std::printf("%zu blocks, %zu event bytes (decoded %zu %zu %zu %zu)\n", b.raw.size(), b.raw_bytes, a, z, zd, zr);
  std::printf("snappy      %10zu bytes\nzstd -%-2d    %10zu bytes\nzstd -%-2d+dict %7zu bytes + %zu dictionary\n",
              total(b.snappy), level, total(b.zstd), level, total(b.zstd_dict), dict.size());
  std::printf("zstd -%-2d+dict, raw literals %zu bytes\n", level, total(b.zstd_dict_raw_literals));
  ZSTD_freeDDict(ddict);
  ZSTD_freeDCtx(dctx);
  ZSTD_freeCDict(cdict);
  ZSTD_freeCCtx(cctx);
}
