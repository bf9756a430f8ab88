#include "codec.h"

#include <memory>

#include <snappy.h>
#include <zstd.h>

#include "format/format.h"

namespace esdb {

Codec codec_of(const WriterOptions& o) {
  if (!o.compress) return {Compression::none, 0};
  return {o.compression, o.compression_level};
}

namespace {

bool worth_it(size_t stored, size_t raw) { return stored < raw - raw / 8; }

uint8_t try_snappy(std::string_view payload, std::string& out) {
  out.resize(snappy::MaxCompressedLength(payload.size()));
  size_t n = 0;
  snappy::RawCompress(payload.data(), payload.size(), out.data(), &n);
  if (!worth_it(n, payload.size())) return format::kRawBlock;
  out.resize(n);
  return format::kSnappyBlock;
}

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};

uint8_t try_zstd(std::string_view payload, int level, std::string& out) {
  // One context per compressing thread: creating one per block would cost
  // more than compressing a 32 KiB chunk.
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  if (!cctx) return try_snappy(payload, out);
  out.resize(ZSTD_compressBound(payload.size()));
  size_t n = ZSTD_compressCCtx(cctx.get(), out.data(), out.size(), payload.data(), payload.size(), level);
  if (ZSTD_isError(n) || !worth_it(n, payload.size())) return format::kRawBlock;
  // Past the bound a reader enforces on every frame, Snappy (bounded by
  // construction) stores the rare extremely repetitive payload instead.
  if (payload.size() > n * format::kMaxZstdExpansion + 64) return try_snappy(payload, out);
  out.resize(n);
  return format::kZstdBlock;
}

}  // namespace

uint8_t compress_payload(std::string_view payload, const Codec& codec, std::string& out) {
  if (payload.size() < 64) return format::kRawBlock;
  switch (codec.kind) {
    case Compression::snappy: return try_snappy(payload, out);
    case Compression::zstd: return try_zstd(payload, codec.level, out);
    case Compression::none: break;
  }
  return format::kRawBlock;
}

struct DCtxFree {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

static ZSTD_DCtx* thread_dctx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  return dctx.get();
}

static std::string claims(uint64_t raw, size_t stored) {
  return "claims " + std::to_string(raw) + " uncompressed bytes from " + std::to_string(stored) + " stored";
}

std::string decompress(uint8_t type, std::string_view stored, Buffer& scratch, std::string_view& payload) {
  if (type == format::kRawBlock) {
    payload = stored;
    return "";
  }
  if (type == format::kSnappyBlock) {
    size_t raw = 0;
    if (!snappy::GetUncompressedLength(stored.data(), stored.size(), &raw)) return "bad snappy length header";
    if (raw > format::kMaxChunkRawSize || raw > stored.size() * format::kMaxSnappyExpansion + 64) {
      return claims(raw, stored.size());
    }
    char* out = scratch.reserve(raw);
    if (!snappy::RawUncompress(stored.data(), stored.size(), out)) return "snappy data is corrupt";
    payload = std::string_view(out, raw);
    return "";
  }
  if (type == format::kZstdBlock) {
    unsigned long long raw = ZSTD_getFrameContentSize(stored.data(), stored.size());
    if (raw == ZSTD_CONTENTSIZE_ERROR || raw == ZSTD_CONTENTSIZE_UNKNOWN) return "zstd frame without a content size";
    if (raw > format::kMaxChunkRawSize || raw > stored.size() * format::kMaxZstdExpansion + 64) {
      return claims(raw, stored.size());
    }
    // Exactly one frame, filling the stored bytes: nothing else hides there.
    if (ZSTD_findFrameCompressedSize(stored.data(), stored.size()) != stored.size()) {
      return "zstd frame does not fill its block";
    }
    ZSTD_DCtx* ctx = thread_dctx();
    if (!ctx) return "cannot create a zstd context";
    char* out = scratch.reserve(raw);
    size_t n = ZSTD_decompressDCtx(ctx, out, raw, stored.data(), stored.size());
    if (ZSTD_isError(n) || n != raw) return "zstd data is corrupt";
    payload = std::string_view(out, raw);
    return "";
  }
  return "unknown block type " + std::to_string(type);
}

}  // namespace esdb
