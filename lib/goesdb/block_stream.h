// A section of a Go ESDB space: a run of blocks whose uncompressed bytes form
// one stream, which records cross freely.
//
//   block: stored_len: fixed16 | enc: 0 raw, 1 Snappy (raw format) | stored bytes
//
// Go ESDB cuts the stream every 4096 bytes, so every block but the last holds
// exactly 4096 bytes uncompressed and stream position p lives in block
// p / 4096. The blocks carry no checksum; what can be checked is that they
// tile the section, that every Snappy block decodes, and those sizes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "goesdb/go_file.h"

namespace esdb::goesdb {

class BlockStream {
 public:
  static constexpr uint64_t kBlockSize = 4096;

  // Walks the block headers of [offset, offset + length) of the file.
  BlockStream(const GoFile& f, uint64_t offset, uint64_t length);

  uint64_t size() const { return size_; }  // uncompressed bytes
  // The index of the block whose header is at this file offset, or -1.
  int64_t find_block(uint64_t file_offset) const;
  // The file offset to blame for a problem at stream position pos.
  uint64_t file_offset_of(uint64_t pos) const;
  // Appends the stream bytes [pos, pos + n) to out; they must exist.
  void read(uint64_t pos, uint64_t n, std::string& out);
  uint8_t byte_at(uint64_t pos);

 private:
  std::string_view block(uint64_t i);  // uncompressed, cached

  const GoFile& f_;
  std::vector<uint64_t> headers_;  // file offset of each block header
  uint64_t size_ = 0;
  uint64_t cached_ = ~uint64_t{0};
  std::string buf_;  // the cached block, when it was compressed
  std::string_view cached_view_;
};

}  // namespace esdb::goesdb
