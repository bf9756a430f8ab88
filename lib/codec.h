// Codecs: how the stored bytes of a block (or of one sub-block of a chunk)
// encode its payload. The codec is the block type byte:
//
//   0 raw     stored = payload
//   1 snappy  stored = raw Snappy format (it declares the payload length)
//   2 zstd    stored = one zstd frame that declares its content size
//
// In a file with kFlagZstdDictionary every zstd frame is coded with the
// file's one dictionary (no dictID in the frame: the file names it).
//
// Both compressed forms declare the payload size up front, so a reader
// checks it against the stored size (kMaxSnappyExpansion, kMaxZstdExpansion)
// before it allocates anything.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "buffer.h"
#include "esdb/esdb.h"

// zstd's digested dictionaries (zstd.h), declared here so that File and
// Codec can hold one without every includer seeing zstd.h.
struct ZSTD_CDict_s;
struct ZSTD_DDict_s;

namespace esdb {

using CompressDictionary = std::shared_ptr<const ZSTD_CDict_s>;
using DecompressDictionary = std::shared_ptr<const ZSTD_DDict_s>;

struct Codec {
  Compression kind = Compression::snappy;
  int level = 0;  // zstd only
  CompressDictionary dictionary;  // zstd only; null: frames without one
};

Codec codec_of(const WriterOptions& o);

// Chooses the stored form of `payload`: compressed into `out` if that saves
// at least 1/8 (payloads under 64 bytes stay raw), else raw (`out` unused).
// Returns the block type.
uint8_t compress_payload(std::string_view payload, const Codec& codec, std::string& out);

// Decodes stored bytes of block type `type` (raw, snappy or zstd). A raw
// payload is `stored` itself; a compressed one lands in `scratch`. Returns
// "" or what is wrong (unknown type, a size claim over its bound, bad data).
// zstd uses one decompression context per thread: creating one costs a
// ~100 KiB allocation and its page faults, more than a small key's lookup.
// `dictionary` (the file's, or null) codes every zstd frame.
std::string decompress(uint8_t type, std::string_view stored, Buffer& scratch, std::string_view& payload,
                       const ZSTD_DDict_s* dictionary = nullptr);

// Digests a ZDICT dictionary (zstd.h's magic, dictID, entropy tables,
// content) once, for every frame of a file. `level` sizes the compressor's.
// Null if zstd refuses it; load_decompress_dictionary also refuses anything
// that is not a well-formed ZDICT dictionary (raw content, bad tables).
CompressDictionary load_compress_dictionary(std::string_view dictionary, int level);
DecompressDictionary load_decompress_dictionary(std::string_view dictionary);

}  // namespace esdb
