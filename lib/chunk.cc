#include "chunk.h"

#include <bit>
#include <cstring>

#include "format/coding.h"
#include "format/format.h"

namespace esdb {

ChunkEntry decode_chunk_entry(const char* p) {
  return ChunkEntry{format::load_fixed64(p), format::load_fixed64(p + 8),
                    static_cast<int64_t>(format::load_fixed64(p + 16)),
                    static_cast<int64_t>(format::load_fixed64(p + 24))};
}

void encode_chunk_entry(std::string& out, const ChunkEntry& e) {
  format::put_fixed64(out, e.offset);
  format::put_fixed64(out, e.end_ordinal);
  format::put_fixed64(out, static_cast<uint64_t>(e.first_ts));
  format::put_fixed64(out, static_cast<uint64_t>(e.last_ts));
}

uint64_t ChunkBuilder::encoded_size(int64_t ts, size_t data_size, bool first, int64_t prev_ts) {
  uint64_t t = first ? format::zigzag(ts) : static_cast<uint64_t>(ts) - static_cast<uint64_t>(prev_ts);
  return format::varint_size(t) + format::varint_size(data_size) + data_size;
}

void ChunkBuilder::add(int64_t ts, std::string_view data) {
  if (count_ > 0 && sub_block_size_ > 0 && !tail_only_ &&
      payload_.size() - sub_start_ + encoded_size(ts, data.size(), false, last_ts_) > sub_block_size_) {
    subs_.push_back({static_cast<uint32_t>(payload_.size()), static_cast<uint32_t>(count_)});
    sub_start_ = payload_.size();
  }
  if (count_ == 0 || (!tail_only_ && sub_start_ == payload_.size())) {
    if (count_ == 0) first_ts_ = ts;
    format::put_varint(payload_, format::zigzag(ts));
  } else {
    format::put_varint(payload_, static_cast<uint64_t>(ts) - static_cast<uint64_t>(last_ts_));
  }
  format::put_bytes(payload_, data);
  last_ts_ = ts;
  count_++;
}

std::string ChunkBuilder::take_payload(std::string next_buffer) {
  std::string p;
  p.swap(payload_);
  payload_.swap(next_buffer);
  reset();
  return p;
}

std::vector<SubEnd> ChunkBuilder::take_subs(bool newest) {
  if (tail_only_) {
    const bool split = newest && count_ >= 2 && payload_.size() >= kTailSplitFactor * sub_block_size_;
    return split ? split_tail() : std::vector<SubEnd>{};
  }
  std::vector<SubEnd> s;
  if (!subs_.empty()) {
    s.swap(subs_);
    s.push_back({static_cast<uint32_t>(payload_.size()), static_cast<uint32_t>(count_)});
  }
  return s;
}

// Splits the payload in two: the newest events, as many as fit in
// sub_block_size_ payload bytes (at least one), become a sub-block of their
// own, its first timestamp rewritten absolute (zigzag) so it decodes alone.
// One split, not a sub-block every sub_block_size_ bytes: each extra
// compression boundary costs Snappy its back-references (BENCHMARKS.md).
std::vector<SubEnd> ChunkBuilder::split_tail() {
  format::Cursor c(payload_);
  uint64_t ts = 0, t = 0, n = 0;
  size_t at = 0;
  int delta_size = 0;
  uint32_t event = 0;
  for (uint32_t i = 0; i < count_; i++) {
    at = c.position();
    c.varint(t);  // the builder wrote these bytes: they parse
    c.varint(n);
    delta_size = static_cast<int>(c.position() - at) - format::varint_size(n);
    ts = i == 0 ? static_cast<uint64_t>(format::unzigzag(t)) : ts + t;
    event = i;
    if (i >= 1 && payload_.size() - at <= sub_block_size_) break;
    c.skip(n);
  }
  std::string out;
  out.reserve(payload_.size() + 10);
  out.append(payload_, 0, at);
  format::put_varint(out, format::zigzag(static_cast<int64_t>(ts)));
  out.append(payload_, at + static_cast<size_t>(delta_size), std::string::npos);
  std::vector<SubEnd> subs{{static_cast<uint32_t>(at), event},
                           {static_cast<uint32_t>(out.size()), static_cast<uint32_t>(count_)}};
  payload_.swap(out);
  return subs;
}

void ChunkBuilder::reset() {
  payload_.clear();
  count_ = 0;
  sub_start_ = 0;
  subs_.clear();
}

std::string DecodedChunk::decode(std::string_view payload, uint64_t expected, int64_t first_ts, int64_t last_ts) {
  return decode_part(payload, expected, first_ts, last_ts, true, true);
}

namespace {

// A varint read inline; false leaves anything unusual (one of 9 or 10
// bytes, a malformed one, or one of 3 or more within 8 bytes of the end) to
// format::Cursor, which accepts all that this accepts, and words the errors.
// On the bench data most timestamp deltas take 3-4 bytes (a key's events
// are seconds to hours apart, in ms), so past two bytes up to 8 are read at
// once and their 7-bit groups packed without a branch per byte, whose
// outcome would follow the data (BENCHMARKS.md, #16). Little-endian, as
// the rest of the format code.
inline bool inline_varint(const char*& p, const char* end, uint64_t& v) {
  if (p == end) return false;
  const uint64_t b = static_cast<uint8_t>(p[0]);
  if (b < 0x80) {
    v = b;
    p += 1;
    return true;
  }
  if (end - p < 2) return false;
  const uint64_t b1 = static_cast<uint8_t>(p[1]);
  if (b1 < 0x80) {  // most lengths of records of 128 bytes to 16 KiB
    v = (b & 0x7f) | (b1 << 7);
    p += 2;
    return true;
  }
  if (end - p < 8) return false;
  uint64_t w;
  std::memcpy(&w, p, 8);
  const uint64_t stop = ~w & 0x8080808080808080ULL;  // the last byte's high bit is clear
  if (stop == 0) return false;
  w &= (stop ^ (stop - 1)) & 0x7f7f7f7f7f7f7f7fULL;  // its bytes, without the high bits
  w = (w & 0x007f007f007f007fULL) | ((w & 0x7f007f007f007f00ULL) >> 1);
  w = (w & 0x00003fff00003fffULL) | ((w & 0x3fff00003fff0000ULL) >> 2);
  w = (w & 0x000000000fffffffULL) | ((w & 0x0fffffff00000000ULL) >> 4);
  v = w;
  p += (std::countr_zero(stop) >> 3) + 1;
  return true;
}

}  // namespace

// One pass over the payload with no allocation once the scan's table is big
// enough: each event costs two varints, read inline, and the checks.
// kCover: each event starts with its ordinal's step from the previous one
// (from 0 for the first), and timestamps are zigzag deltas from the previous
// one (from 0 for the first), wrapping, as in a covering copy; otherwise the first is zigzag and
// the rest unsigned deltas that must not pass INT64_MAX, as in a chunk.
template <bool kCover>
std::string DecodedChunk::decode_events(std::string_view payload, uint64_t expected, uint64_t ordinal_end) {
  payload_ = payload;
  count_ = 0;
  // Every event takes at least two bytes, so a larger count is a lie and
  // must not size an allocation.
  if (expected == 0 || expected > payload.size() / 2) {
    return "claims " + std::to_string(expected) + " events in " + std::to_string(payload.size()) + " bytes";
  }
  if (expected > capacity_) {
    events_ = std::make_unique_for_overwrite<EventRef[]>(expected);
    capacity_ = expected;
  }
  if (kCover && expected > ordinals_capacity_) {
    ordinals_ = std::make_unique_for_overwrite<uint64_t[]>(expected);
    ordinals_capacity_ = expected;
  }
  uint64_t ordinal = 0;
  const char* const begin = payload.data();
  const char* const end = begin + payload.size();
  const char* p = begin;
  EventRef* out = events_.get();
  EventRef* const out_end = out + expected;
  uint64_t ts = 0;  // unsigned: the sum below is checked before it is used
  while (p != end) {
    const size_t at = static_cast<size_t>(p - begin);
    uint64_t t, n;
    if (kCover) {
      // Ordinals strictly increase from the first, and stay below the key's
      // event count.
      uint64_t step;
      format::Cursor c(p, end);
      if (!c.varint(step) || (out != events_.get() && step == 0) || step >= ordinal_end - ordinal) {
        return "bad ordinal at payload byte " + std::to_string(at);
      }
      ordinal += step;
      p = c.data();
    }
    const char* const ts_at = p;
    if (!inline_varint(p, end, t) || !inline_varint(p, end, n)) {
      p = ts_at;
      format::Cursor c(p, end);
      if (!c.varint(t)) return "bad timestamp varint at payload byte " + std::to_string(at);
      if (!c.varint(n) || n > format::kMaxDataSize) return "bad data length at payload byte " + std::to_string(at);
      p = c.data();
    }
    if (kCover) {
      ts += static_cast<uint64_t>(format::unzigzag(t));
    } else if (out == events_.get()) {
      ts = static_cast<uint64_t>(format::unzigzag(t));
    } else {
      // The next timestamp must not pass INT64_MAX; as unsigned arithmetic
      // INT64_MAX - ts is exact for every ts.
      if (t > static_cast<uint64_t>(INT64_MAX) - ts) return "timestamp overflows at payload byte " + std::to_string(at);
      ts += t;
    }
    if (n > static_cast<uint64_t>(end - p)) return "bad data length at payload byte " + std::to_string(at);
    if (out == out_end) return "holds more than its " + std::to_string(expected) + " events";
    if (kCover) ordinals_[out - events_.get()] = ordinal;
    *out++ = {static_cast<int64_t>(ts), static_cast<uint32_t>(p - begin), static_cast<uint32_t>(n)};
    p += n;
  }
  count_ = static_cast<size_t>(out - events_.get());
  if (count_ != expected) {
    std::string problem = "holds " + std::to_string(count_) + " events, not the " + std::to_string(expected) + " expected";
    count_ = 0;
    return problem;
  }
  return "";
}

std::string DecodedChunk::decode_cover(std::string_view payload, uint64_t expected, uint64_t event_count) {
  return decode_events<true>(payload, expected, event_count);
}

std::string DecodedChunk::decode_part(std::string_view payload, uint64_t expected, int64_t first_ts, int64_t last_ts,
                                      bool is_first, bool is_last) {
  std::string problem = decode_events<false>(payload, expected, 0);
  if (!problem.empty()) return problem;
  // Timestamps never go down within the payload, so its ends bound it.
  if (is_first ? events_[0].ts != first_ts : events_[0].ts < first_ts) {
    count_ = 0;
    return "chunk timestamps disagree with its directory entry";
  }
  if (is_last ? events_[count_ - 1].ts != last_ts : events_[count_ - 1].ts > last_ts) {
    count_ = 0;
    return "chunk timestamps disagree with its directory entry";
  }
  return "";
}

}  // namespace esdb
