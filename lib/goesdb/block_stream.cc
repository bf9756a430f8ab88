#include "goesdb/block_stream.h"

#include <snappy.h>

#include <algorithm>


namespace esdb::goesdb {
namespace {

constexpr uint64_t kHeaderSize = 3;

uint64_t stored_len(const char* header) {
  return static_cast<uint8_t>(header[0]) | static_cast<uint64_t>(static_cast<uint8_t>(header[1])) << 8;
}

}  // namespace

BlockStream::BlockStream(const GoFile& f, uint64_t offset, uint64_t length) : f_(f) {
  const uint64_t end = offset + length;  // the caller checked it lies in the file
  for (uint64_t at = offset; at < end;) {
    f.span(at, kHeaderSize, offset, end, "block header");
    const uint64_t n = stored_len(f.data + at);
    const uint8_t enc = static_cast<uint8_t>(f.data[at + 2]);
    const std::string_view stored = f.span(at + kHeaderSize, n, offset, end, "block");
    size_t raw = n;
    if (enc == 1) {
      if (!snappy::GetUncompressedLength(stored.data(), stored.size(), &raw)) {
        f.corrupt(at, "Snappy block has a malformed length");
      }
    } else if (enc != 0) {
      f.corrupt(at + 2, "block encoding " + std::to_string(enc) + " is neither raw (0) nor Snappy (1)");
    }
    // Only the last block may be short, and Go never writes an empty one.
    if (raw > kBlockSize || raw == 0 || (!headers_.empty() && size_ % kBlockSize != 0)) {
      f.corrupt(headers_.empty() || size_ % kBlockSize == 0 ? at : headers_.back(),
                "block of " + std::to_string(raw) + " bytes uncompressed where 4096 (or a short last one) belongs");
    }
    headers_.push_back(at);
    size_ += raw;
    at += kHeaderSize + n;
  }
  if (headers_.empty()) f.corrupt(offset, "section holds no block");
}

int64_t BlockStream::find_block(uint64_t file_offset) const {
  auto it = std::lower_bound(headers_.begin(), headers_.end(), file_offset);
  return it != headers_.end() && *it == file_offset ? it - headers_.begin() : -1;
}

uint64_t BlockStream::file_offset_of(uint64_t pos) const {
  return headers_[std::min<uint64_t>(pos / kBlockSize, headers_.size() - 1)];
}

std::string_view BlockStream::block(uint64_t i) {
  if (i == cached_) return cached_view_;
  const uint64_t at = headers_[i];
  const std::string_view stored(f_.data + at + kHeaderSize, stored_len(f_.data + at));
  if (f_.data[at + 2] == 0) {
    cached_view_ = stored;
  } else {
    size_t raw = 0;
    // The constructor checked the length (<= 4096): the buffer is bounded.
    snappy::GetUncompressedLength(stored.data(), stored.size(), &raw);
    buf_.resize(raw);
    if (!snappy::RawUncompress(stored.data(), stored.size(), buf_.data())) {
      cached_ = ~uint64_t{0};
      f_.corrupt(at, "Snappy block does not decode");
    }
    cached_view_ = buf_;
  }
  cached_ = i;
  return cached_view_;
}

void BlockStream::read(uint64_t pos, uint64_t n, std::string& out) {
  while (n > 0) {
    const std::string_view b = block(pos / kBlockSize);
    const uint64_t in = pos % kBlockSize;
    const uint64_t take = std::min<uint64_t>(n, b.size() - in);
    out.append(b.data() + in, take);
    pos += take;
    n -= take;
  }
}

uint8_t BlockStream::byte_at(uint64_t pos) { return static_cast<uint8_t>(block(pos / kBlockSize)[pos % kBlockSize]); }

}  // namespace esdb::goesdb
