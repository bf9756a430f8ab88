#include "block.h"

#include "file_sink.h"
#include "format/checksum.h"
#include "format/coding.h"
#include "format/format.h"

namespace esdb {

uint64_t append_block(FileSink& sink, std::string_view stored, uint8_t type) {
  char trailer[5];
  trailer[0] = static_cast<char>(type);
  format::store_fixed32(trailer + 1, format::checksum_parts(stored, std::string_view(trailer, 1), sink.offset()));
  if (type == format::kZstdBlock || type == format::kSubBlockChunk) sink.require_flags(format::kFlagCompactBlocks);
  sink.append(stored);
  sink.append(std::string_view(trailer, 5));
  return stored.size() + format::kBlockTrailerSize;
}

uint64_t write_block(FileSink& sink, std::string_view payload, const Codec& codec, std::string& scratch) {
  uint8_t type = compress_payload(payload, codec, scratch);
  return append_block(sink, type == format::kRawBlock ? payload : std::string_view(scratch), type);
}

std::string_view read_stored_block(const detail::File& f, const detail::Window& w, uint64_t offset, uint64_t size, uint64_t lo, uint64_t hi,
                                   const char* what, uint8_t& type) {
  if (size < format::kBlockTrailerSize) {
    f.corrupt(offset, std::string(what) + ": block of " + std::to_string(size) + " bytes is shorter than its trailer");
  }
  std::string_view b = f.span(w, offset, size, lo, hi, what);
  std::string_view stored = b.substr(0, size - 5);
  type = static_cast<uint8_t>(b[size - 5]);
  if (format::checksum_parts(stored, b.substr(size - 5, 1), offset) != format::load_fixed32(b.data() + size - 4)) {
    f.corrupt(offset, std::string(what) + ": checksum mismatch");
  }
  if ((type == format::kZstdBlock || type == format::kSubBlockChunk) &&
      !(f.footer.required_flags & format::kFlagCompactBlocks)) {
    f.corrupt(offset + size - 5, std::string(what) + ": block type " + std::to_string(type) +
                                     " in a file without the compact-blocks flag");
  }
  return stored;
}

std::string_view read_raw_block(const detail::File& f, const detail::Window& w, uint64_t offset, uint64_t size, uint64_t lo, uint64_t hi,
                                const char* what) {
  uint8_t type;
  std::string_view stored = read_stored_block(f, w, offset, size, lo, hi, what, type);
  if (type != format::kRawBlock) f.corrupt(offset + size - 5, std::string(what) + ": must be stored raw");
  return stored;
}

std::string_view read_block(const detail::File& f, const detail::Window& w, uint64_t offset, uint64_t size, uint64_t lo, uint64_t hi,
                            Buffer& scratch, const char* what) {
  uint8_t type;
  std::string_view stored = read_stored_block(f, w, offset, size, lo, hi, what, type);
  if (type == format::kRawBlock) return stored;
  std::string_view payload;
  std::string problem;
  if (type == format::kSubBlockChunk) {
    problem = "sub-block layout where a plain block belongs";
  } else {
    problem = decompress(type, stored, scratch, payload, f.dictionary.get());
  }
  if (!problem.empty()) f.corrupt(offset, std::string(what) + ": " + problem);
  return payload;
}

}  // namespace esdb
