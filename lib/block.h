// Blocks: the checksummed unit of storage for chunks, posting lists and
// index blocks.
//
//   block := payload | type: u8 (0 raw, 1 snappy) | checksum: u32
//   checksum = format::checksum(payload | type, offset of the block)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "buffer.h"
#include "file.h"

namespace esdb {

class FileSink;

// Appends `payload` as one block; compresses it when `compress` is set and
// Snappy saves at least 1/8. Returns the stored size (payload + trailer).
uint64_t write_block(FileSink& sink, std::string_view payload, bool compress, std::string& scratch);
// The two halves of write_block, for compressing on another thread:
// choose the stored bytes and type (they go into `out`, or are `payload`
// itself when stored raw), then append them with their trailer.
uint8_t compress_payload(std::string_view payload, bool compress, std::string& out);
uint64_t append_block(FileSink& sink, std::string_view stored, uint8_t type);

// Checks and returns the payload of the block [offset, offset + size), which
// must lie inside [lo, hi). A raw payload is a view of the mapped file;
// a compressed one is decompressed into `scratch`. `what` names the block in
// errors.
std::string_view read_block(const detail::File& f, uint64_t offset, uint64_t size, uint64_t lo, uint64_t hi,
                            Buffer& scratch, const char* what);
// The same for a block that must be stored raw (posting blocks).
std::string_view read_raw_block(const detail::File& f, uint64_t offset, uint64_t size, uint64_t lo, uint64_t hi,
                                const char* what);

}  // namespace esdb
