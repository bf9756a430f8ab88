#include "chunk.h"

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
  if (count_ > 0 && sub_block_size_ > 0 &&
      payload_.size() - sub_start_ + encoded_size(ts, data.size(), false, last_ts_) > sub_block_size_) {
    subs_.push_back({static_cast<uint32_t>(payload_.size()), static_cast<uint32_t>(count_)});
    sub_start_ = payload_.size();
  }
  if (count_ == 0 || sub_start_ == payload_.size()) {
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

std::vector<SubEnd> ChunkBuilder::take_subs() {
  std::vector<SubEnd> s;
  if (!subs_.empty()) {
    s.swap(subs_);
    s.push_back({static_cast<uint32_t>(payload_.size()), static_cast<uint32_t>(count_)});
  }
  return s;
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

std::string DecodedChunk::decode_part(std::string_view payload, uint64_t expected, int64_t first_ts, int64_t last_ts,
                                      bool is_first, bool is_last) {
  payload_ = payload;
  events_.clear();
  // Every event takes at least two bytes, so a larger count is a lie and
  // must not size an allocation.
  if (expected == 0 || expected > payload.size() / 2) {
    return "chunk claims " + std::to_string(expected) + " events in " + std::to_string(payload.size()) + " bytes";
  }
  events_.reserve(expected);
  format::Cursor c(payload);
  int64_t ts = 0;
  while (!c.empty()) {
    size_t at = c.position();
    uint64_t t;
    std::string_view data;
    if (!c.varint(t)) return "bad timestamp varint at payload byte " + std::to_string(at);
    if (events_.empty()) {
      ts = format::unzigzag(t);
    } else {
      // The next timestamp must not pass INT64_MAX; as unsigned arithmetic
      // INT64_MAX - ts is exact for every ts.
      if (t > static_cast<uint64_t>(INT64_MAX) - static_cast<uint64_t>(ts)) {
        return "timestamp overflows at payload byte " + std::to_string(at);
      }
      ts = static_cast<int64_t>(static_cast<uint64_t>(ts) + t);
    }
    if (!c.prefixed(data, format::kMaxDataSize)) return "bad data length at payload byte " + std::to_string(at);
    if (events_.size() == expected) return "chunk holds more than its " + std::to_string(expected) + " events";
    events_.push_back({ts, static_cast<uint64_t>(data.data() - payload.data()), data.size()});
  }
  if (events_.size() != expected) {
    return "chunk holds " + std::to_string(events_.size()) + " events, its directory says " + std::to_string(expected);
  }
  // Timestamps never go down within the payload, so its ends bound it.
  if (is_first ? events_.front().ts != first_ts : events_.front().ts < first_ts) {
    return "chunk timestamps disagree with its directory entry";
  }
  if (is_last ? events_.back().ts != last_ts : events_.back().ts > last_ts) {
    return "chunk timestamps disagree with its directory entry";
  }
  return "";
}

}  // namespace esdb
