// Chunks: a run of one key's events of one group, in timestamp order, stored
// as one block. The payload before compression is
//
//   event := ts: varint | data_len: varint | data
//
// where the first event's ts is zigzag(timestamp) and every later one is
// timestamp - previous timestamp as an unsigned varint (never negative: a
// chunk never spans two groups). The key dir holds each chunk's entry:
//
//   offset: u64 | end_ordinal: u64 | first_ts: i64 | last_ts: i64
//
// end_ordinal is the number of the key's events up to and including this
// chunk, so a chunk's count is its end_ordinal minus the previous one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "esdb/esdb.h"
#include "sub_blocks.h"

namespace esdb {

struct ChunkEntry {
  uint64_t offset = 0;
  uint64_t end_ordinal = 0;
  int64_t first_ts = 0;
  int64_t last_ts = 0;
};

ChunkEntry decode_chunk_entry(const char* p);
void encode_chunk_entry(std::string& out, const ChunkEntry& e);

class ChunkBuilder {
 public:
  static constexpr size_t kTailSplitFactor = 4;
  // 0: one sub-block per chunk. Otherwise an event that would take the
  // current sub-block past this many bytes starts a new one (its timestamp
  // then absolute again, so each sub-block decodes on its own).
  // `tail_only`: the payload stays one run of deltas and only a chunk taken
  // with take_subs(true) (a group's newest chunk) of at least
  // kTailSplitFactor sub-blocks' bytes is split, after the fact, in two: its
  // newest sub_block_size bytes of events and the rest.
  void set_sub_block_size(size_t n, bool tail_only = false) {
    sub_block_size_ = n;
    tail_only_ = tail_only;
  }
  // Bytes the event adds to the payload.
  static uint64_t encoded_size(int64_t ts, size_t data_size, bool first, int64_t prev_ts);
  void add(int64_t ts, std::string_view data);
  bool empty() const { return count_ == 0; }
  uint64_t count() const { return count_; }
  uint64_t size() const { return payload_.size(); }
  int64_t first_ts() const { return first_ts_; }
  int64_t last_ts() const { return last_ts_; }
  const std::string& payload() const { return payload_; }
  // Hands the payload over (the builder is reset).
  // The payload so far; `next_buffer` (empty) becomes the one to fill next.
  std::string take_payload(std::string next_buffer = {});
  // The sub-block ends of the payload about to be taken: empty if it is one
  // sub-block. Call before take_payload. In tail-only mode the payload is
  // split (rewritten) only if `newest` says it is its group's last chunk.
  std::vector<SubEnd> take_subs(bool newest = false);
  void reset();

 private:
  std::vector<SubEnd> split_tail();

  size_t sub_block_size_ = 0;
  bool tail_only_ = false;
  size_t sub_start_ = 0;  // payload offset of the current sub-block
  std::vector<SubEnd> subs_;
  std::string payload_;
  uint64_t count_ = 0;
  int64_t first_ts_ = 0;
  int64_t last_ts_ = 0;
};

// A chunk payload parsed into its events, checked against its dir entry.
class DecodedChunk {
 public:
  // offset: of the data within the payload (< 2^31 + 64).
  using EventRef = detail::DecodedEvent;
  // Returns "" or what is wrong; `expected` is the event count from the dir.
  std::string decode(std::string_view payload, uint64_t expected, int64_t first_ts, int64_t last_ts);
  // The same for one sub-block of a chunk whose timestamps run first_ts ..
  // last_ts: its own lie within them, and it starts (ends) exactly there if
  // it is the chunk's first (last) sub-block.
  std::string decode_part(std::string_view payload, uint64_t expected, int64_t first_ts, int64_t last_ts,
                          bool is_first, bool is_last);
  // A covering copy's events (SPEC.md, "Covered index entries"): exactly
  // `expected` of them, at strictly increasing ordinals below `event_count`;
  // their timestamps are checked by the scan.
  std::string decode_cover(std::string_view payload, uint64_t expected, uint64_t event_count);
  // After decode_cover: the key ordinal of event i.
  uint64_t ordinal(size_t i) const { return ordinals_[i]; }
  size_t size() const { return count_; }
  int64_t ts(size_t i) const { return events_[i].ts; }
  std::string_view data(size_t i) const { return {payload_.data() + events_[i].offset, events_[i].size}; }
  const EventRef* events() const { return events_.get(); }
  const char* payload() const { return payload_.data(); }
  size_t capacity() const { return capacity_; }

 private:
  template <bool kCover>
  std::string decode_events(std::string_view payload, uint64_t expected, uint64_t ordinal_end);

  std::string_view payload_;
  // Grown, never shrunk, and not initialised: decode_part writes every
  // entry it counts, so a scan allocates once per chunk size it meets.
  std::unique_ptr<EventRef[]> events_;
  size_t capacity_ = 0;
  size_t count_ = 0;
  std::unique_ptr<uint64_t[]> ordinals_;  // decode_cover's, grown the same way
  size_t ordinals_capacity_ = 0;
};

}  // namespace esdb
