#include "codec.h"

#include <memory>

#include <snappy.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "format/coding.h"
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

// Frames on the file's dictionary: the CDict holds the level; no dictID,
// since a file has one dictionary and names it in the footer.
size_t zstd_with_dictionary(std::string_view payload, const ZSTD_CDict* dict, std::string& out) {
  // Its own context: parameters set on a context stick, and the plain frames
  // below must stay exactly what they were.
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  if (!cctx) return static_cast<size_t>(-static_cast<int>(ZSTD_error_memory_allocation));
  ZSTD_CCtx_reset(cctx.get(), ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_dictIDFlag, 0);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_contentSizeFlag, 1);
  ZSTD_CCtx_refCDict(cctx.get(), dict);
  return ZSTD_compress2(cctx.get(), out.data(), out.size(), payload.data(), payload.size());
}

uint8_t try_zstd(std::string_view payload, const Codec& codec, std::string& out) {
  // One context per compressing thread: creating one per block would cost
  // more than compressing a 32 KiB chunk.
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  if (!cctx) return try_snappy(payload, out);
  out.resize(ZSTD_compressBound(payload.size()));
  size_t n = codec.dictionary
                 ? zstd_with_dictionary(payload, codec.dictionary.get(), out)
                 : ZSTD_compressCCtx(cctx.get(), out.data(), out.size(), payload.data(), payload.size(), codec.level);
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
    case Compression::zstd: return try_zstd(payload, codec, out);
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

std::string decompress(uint8_t type, std::string_view stored, Buffer& scratch, std::string_view& payload,
                       const ZSTD_DDict* dictionary) {
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
    size_t n = dictionary ? ZSTD_decompress_usingDDict(ctx, out, raw, stored.data(), stored.size(), dictionary)
                          : ZSTD_decompressDCtx(ctx, out, raw, stored.data(), stored.size());
    if (ZSTD_isError(n) || n != raw) return "zstd data is corrupt";
    payload = std::string_view(out, raw);
    return "";
  }
  return "unknown block type " + std::to_string(type);
}

CompressDictionary load_compress_dictionary(std::string_view dictionary, int level) {
  ZSTD_CDict* d = ZSTD_createCDict(dictionary.data(), dictionary.size(), level);
  if (!d) return nullptr;
  return CompressDictionary(d, [](const ZSTD_CDict* p) { ZSTD_freeCDict(const_cast<ZSTD_CDict*>(p)); });
}

DecompressDictionary load_decompress_dictionary(std::string_view dictionary) {
  // zstd takes bytes without its magic as raw content and never fails on
  // them; with the magic it parses the entropy tables and refuses bad ones.
  if (dictionary.size() < 8 || format::load_fixed32(dictionary.data()) != format::kZstdDictionaryMagic) return nullptr;
  ZSTD_DDict* d = ZSTD_createDDict(dictionary.data(), dictionary.size());
  if (!d) return nullptr;
  return DecompressDictionary(d, [](const ZSTD_DDict* p) { ZSTD_freeDDict(const_cast<ZSTD_DDict*>(p)); });
}

}  // namespace esdb
