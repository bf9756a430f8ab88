// Sub-block chunks (block type 3): a chunk stored as independently
// compressed sub-blocks, so a scan decodes only the sub-blocks holding the
// events it returns (the newest few, or one posting-list hit).
//
//   stored    := sub_0 .. sub_{n-1} | entry_0 .. entry_{n-1} | sub_count: u32
//   entry_i   := stored_end: u32 | event_end: u32 | codec: u8
//
// sub_i spans stored bytes [stored_end_{i-1}, stored_end_i) (from 0) and
// holds the chunk's events [event_end_{i-1}, event_end_i), encoded with
// `codec` (0 raw, 1 snappy, 2 zstd: codec.h). Decoded, each sub-block is a
// chunk payload of its own (its first timestamp is absolute, zigzag), and
// their concatenation is the chunk's payload.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codec.h"

namespace esdb {

// Where the writer closed a sub-block: payload bytes and events so far.
struct SubEnd {
  uint32_t byte_end;
  uint32_t event_end;
};

// The stored bytes and block type of a chunk payload: a plain block when it
// is one sub-block (`subs` holds at most one end), else type 3 in `out`.
// `scratch` is for the sub-blocks' compression.
uint8_t encode_chunk(std::string_view payload, const std::vector<SubEnd>& subs, const Codec& codec, std::string& out,
                     std::string& scratch);

// The table of a type 3 chunk, checked whole before any of it is used.
class SubBlockTable {
 public:
  // Returns "" or what is wrong; `events` is the chunk's event count.
  std::string parse(std::string_view stored, uint64_t events);
  uint32_t size() const { return count_; }
  // The sub-block holding the chunk's event `index` (< events).
  uint32_t find(uint64_t index) const;
  uint64_t first_event(uint32_t i) const { return i == 0 ? 0 : event_end(i - 1); }
  uint64_t event_end(uint32_t i) const;
  uint8_t codec(uint32_t i) const;
  std::string_view stored(uint32_t i) const;

 private:
  uint32_t stored_end(uint32_t i) const;
  std::string_view stored_;
  const char* table_ = nullptr;
  uint32_t count_ = 0;
};

}  // namespace esdb
