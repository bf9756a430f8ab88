// Blocks: the checksummed unit of storage for chunks, posting lists and
// index blocks.
//
//   block := stored | type: u8 | checksum: u32
//   checksum = format::checksum(stored | type, offset of the block)
//
// type 0 raw, 1 snappy, 2 zstd (codec.h), 3 sub-block chunk (sub_blocks.h,
// chunks and cover blocks only). Types 2 and 3 need the footer's kFlagCompactBlocks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "buffer.h"
#include "codec.h"
#include "file.h"

namespace esdb {

class FileSink;

// Appends `payload` as one block, compressed with `codec` where that saves
// at least 1/8. Returns the stored size (payload + trailer).
uint64_t write_block(FileSink& sink, std::string_view payload, const Codec& codec, std::string& scratch);
// Appends already chosen stored bytes with their trailer (compress_payload
// or encode_chunk chose them, maybe on another thread).
uint64_t append_block(FileSink& sink, std::string_view stored, uint8_t type);

// Checks the bounds ([offset, offset + size) inside [lo, hi)) and checksum of
// a block read from `w` (a key's region); returns its stored bytes and sets `type`. A type that needs a
// required flag the footer does not set is corrupt.
std::string_view read_stored_block(const detail::File& f, const detail::Window& w, uint64_t offset, uint64_t size, uint64_t lo, uint64_t hi,
                                   const char* what, uint8_t& type);
// Checks and returns the payload of a raw, snappy or zstd block. A raw
// payload is a view of the mapped file; a compressed one is decompressed
// into `scratch`. `what` names the block in errors.
std::string_view read_block(const detail::File& f, const detail::Window& w, uint64_t offset, uint64_t size, uint64_t lo, uint64_t hi,
                            Buffer& scratch, const char* what);
// The same for a block that must be stored raw (posting blocks).
std::string_view read_raw_block(const detail::File& f, const detail::Window& w, uint64_t offset, uint64_t size, uint64_t lo, uint64_t hi,
                                const char* what);

}  // namespace esdb
