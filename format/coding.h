// Integer encodings shared by every structure of the format.
//
//   fixedN: N/8 bytes, little-endian
//   varint: LEB128, 7 bits per byte, low groups first, high bit = "more";
//           at most 10 bytes, and a u64 must not overflow
//   zigzag: (n << 1) ^ (n >> 63), so small negative numbers stay short
//
// A LEB128 sequence can be walked backwards: the last byte of each varint has
// its high bit clear, every other byte has it set. Posting lists use that to
// run in reverse without an index.
//
// Decoding goes through Cursor, which never reads past its end: every read
// reports failure instead, and the caller turns that into an Error with the
// offset where it happened.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace esdb::format {

inline void put_fixed32(std::string& out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; i++) b[i] = static_cast<char>(v >> (8 * i));
  out.append(b, 4);
}
inline void put_fixed64(std::string& out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; i++) b[i] = static_cast<char>(v >> (8 * i));
  out.append(b, 8);
}
inline void put_varint(std::string& out, uint64_t v) {
  char b[10];
  int n = 0;
  while (v >= 0x80) {
    b[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  b[n++] = static_cast<char>(v);
  out.append(b, n);
}
inline void put_bytes(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}
inline uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t unzigzag(uint64_t v) {
  return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}
inline int varint_size(uint64_t v) {
  int n = 1;
  while (v >= 0x80) { v >>= 7; n++; }
  return n;
}

inline uint32_t load_fixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;  // the format is little-endian, like every host we build for
}
inline uint64_t load_fixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t load_fixed48(const char* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, 6);
  return v;
}
inline void store_fixed48(char* p, uint64_t v) { std::memcpy(p, &v, 6); }
inline void store_fixed64(char* p, uint64_t v) { std::memcpy(p, &v, 8); }
inline void store_fixed32(char* p, uint32_t v) { std::memcpy(p, &v, 4); }

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "esdb assumes a little-endian host");

// A bounds-checked reader over a byte range. Reads return false (and leave
// the cursor where the bad field started) when the bytes run out or a varint
// is malformed.
class Cursor {
 public:
  Cursor(const char* begin, const char* end) : p_(begin), begin_(begin), end_(end) {}
  explicit Cursor(std::string_view s) : Cursor(s.data(), s.data() + s.size()) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  size_t position() const { return static_cast<size_t>(p_ - begin_); }
  const char* data() const { return p_; }
  bool empty() const { return p_ == end_; }

  bool varint(uint64_t& v) {
    uint64_t result = 0;
    const char* p = p_;
    for (int shift = 0; shift < 64 && p < end_; shift += 7) {
      uint64_t byte = static_cast<uint8_t>(*p++);
      if (shift == 63 && byte > 1) return false;  // overflows u64
      result |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        v = result;
        p_ = p;
        return true;
      }
    }
    return false;
  }
  bool fixed32(uint32_t& v) {
    if (remaining() < 4) return false;
    v = load_fixed32(p_);
    p_ += 4;
    return true;
  }
  bool fixed64(uint64_t& v) {
    if (remaining() < 8) return false;
    v = load_fixed64(p_);
    p_ += 8;
    return true;
  }
  bool bytes(size_t n, std::string_view& out) {
    if (remaining() < n) return false;
    out = std::string_view(p_, n);
    p_ += n;
    return true;
  }
  // A varint length followed by that many bytes, at most max_len.
  bool prefixed(std::string_view& out, uint64_t max_len) {
    const char* start = p_;
    uint64_t n;
    if (!varint(n) || n > max_len || !bytes(n, out)) {
      p_ = start;
      return false;
    }
    return true;
  }
  bool skip(size_t n) {
    if (remaining() < n) return false;
    p_ += n;
    return true;
  }

 private:
  const char* p_;
  const char* begin_;
  const char* end_;
};

}  // namespace esdb::format
