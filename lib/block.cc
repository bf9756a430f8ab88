#include "block.h"

#include <snappy.h>

#include "file_sink.h"
#include "format/checksum.h"
#include "format/coding.h"
#include "format/format.h"

namespace esdb {

uint8_t compress_payload(std::string_view payload, bool compress, std::string& out) {
  if (compress && payload.size() >= 64) {
    out.resize(snappy::MaxCompressedLength(payload.size()));
    size_t n = 0;
    snappy::RawCompress(payload.data(), payload.size(), out.data(), &n);
    if (n < payload.size() - payload.size() / 8) {
      out.resize(n);
      return format::kSnappyBlock;
    }
  }
  return format::kRawBlock;
}

uint64_t append_block(FileSink& sink, std::string_view stored, uint8_t type) {
  char trailer[5];
  trailer[0] = static_cast<char>(type);
  format::store_fixed32(trailer + 1, format::checksum_parts(stored, std::string_view(trailer, 1), sink.offset()));
  sink.append(stored);
  sink.append(std::string_view(trailer, 5));
  return stored.size() + format::kBlockTrailerSize;
}

uint64_t write_block(FileSink& sink, std::string_view payload, bool compress, std::string& scratch) {
  uint8_t type = compress_payload(payload, compress, scratch);
  return append_block(sink, type == format::kRawBlock ? payload : std::string_view(scratch), type);
}

// Checks bounds and checksum; returns the stored payload and its type.
static std::string_view check_block(const detail::File& f, uint64_t offset, uint64_t size, uint64_t lo, uint64_t hi,
                                    const char* what, uint8_t& type) {
  if (size < format::kBlockTrailerSize) {
    f.corrupt(offset, std::string(what) + ": block of " + std::to_string(size) + " bytes is shorter than its trailer");
  }
  std::string_view b = f.span(offset, size, lo, hi, what);
  std::string_view stored = b.substr(0, size - 5);
  type = static_cast<uint8_t>(b[size - 5]);
  if (format::checksum_parts(stored, b.substr(size - 5, 1), offset) != format::load_fixed32(b.data() + size - 4)) {
    f.corrupt(offset, std::string(what) + ": checksum mismatch");
  }
  return stored;
}

std::string_view read_raw_block(const detail::File& f, uint64_t offset, uint64_t size, uint64_t lo, uint64_t hi,
                                const char* what) {
  uint8_t type;
  std::string_view stored = check_block(f, offset, size, lo, hi, what, type);
  if (type != format::kRawBlock) f.corrupt(offset + size - 5, std::string(what) + ": must be stored raw");
  return stored;
}

std::string_view read_block(const detail::File& f, uint64_t offset, uint64_t size, uint64_t lo, uint64_t hi,
                            Buffer& scratch, const char* what) {
  uint8_t type;
  std::string_view stored = check_block(f, offset, size, lo, hi, what, type);
  if (type == format::kRawBlock) return stored;
  auto fail = [&](const std::string& why) { f.corrupt(offset, std::string(what) + ": " + why); };
  if (type != format::kSnappyBlock) fail("unknown block type " + std::to_string(type));
  size_t raw = 0;
  if (!snappy::GetUncompressedLength(stored.data(), stored.size(), &raw)) fail("bad snappy length header");
  if (raw > format::kMaxChunkRawSize || raw > stored.size() * format::kMaxSnappyExpansion + 64) {
    fail("claims " + std::to_string(raw) + " uncompressed bytes from " + std::to_string(stored.size()) + " stored");
  }
  char* out = scratch.reserve(raw);
  if (!snappy::RawUncompress(stored.data(), stored.size(), out)) fail("snappy data is corrupt");
  return std::string_view(out, raw);
}

}  // namespace esdb
