#include "sub_blocks.h"

#include "format/coding.h"
#include "format/format.h"

namespace esdb {

uint8_t encode_chunk(std::string_view payload, const std::vector<SubEnd>& subs, const Codec& codec, std::string& out,
                     std::string& scratch) {
  if (subs.size() <= 1) return compress_payload(payload, codec, out);
  out.clear();
  std::string table;
  uint32_t from = 0;
  for (const SubEnd& s : subs) {
    std::string_view sub = payload.substr(from, s.byte_end - from);
    uint8_t type = compress_payload(sub, codec, scratch);
    out.append(type == format::kRawBlock ? sub : std::string_view(scratch));
    format::put_fixed32(table, static_cast<uint32_t>(out.size()));
    format::put_fixed32(table, s.event_end);
    table.push_back(static_cast<char>(type));
    from = s.byte_end;
  }
  out.append(table);
  format::put_fixed32(out, static_cast<uint32_t>(subs.size()));
  return format::kSubBlockChunk;
}

std::string SubBlockTable::parse(std::string_view stored, uint64_t events) {
  stored_ = stored;
  count_ = 0;
  if (stored.size() < format::kSubCountSize) return "sub-block chunk of " + std::to_string(stored.size()) + " bytes";
  uint64_t n = format::load_fixed32(stored.data() + stored.size() - format::kSubCountSize);
  uint64_t room = stored.size() - format::kSubCountSize;
  if (n == 0 || n > room / format::kSubEntrySize) {
    return "sub-block count " + std::to_string(n) + " does not fit in " + std::to_string(stored.size()) + " bytes";
  }
  const uint64_t table_at = room - n * format::kSubEntrySize;
  table_ = stored.data() + table_at;
  count_ = static_cast<uint32_t>(n);
  // Every sub-block holds at least one event and one byte, so both ends
  // strictly increase; the last ones close the data and the chunk.
  uint64_t prev_end = 0, prev_event = 0;
  for (uint32_t i = 0; i < count_; i++) {
    uint64_t end = stored_end(i), ev = event_end(i);
    if (end <= prev_end || end > table_at) return "sub-block " + std::to_string(i) + ": stored end out of order";
    if (ev <= prev_event || ev > events) return "sub-block " + std::to_string(i) + ": event end out of order";
    if (codec(i) > format::kZstdBlock) return "sub-block " + std::to_string(i) + ": unknown codec";
    prev_end = end;
    prev_event = ev;
  }
  if (prev_end != table_at) return "sub-blocks end before their table";
  if (prev_event != events) {
    return "sub-blocks hold " + std::to_string(prev_event) + " events, the directory says " + std::to_string(events);
  }
  return "";
}

uint32_t SubBlockTable::find(uint64_t index) const {
  uint32_t lo = 0, hi = count_ - 1;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (event_end(mid) > index) hi = mid; else lo = mid + 1;
  }
  return lo;
}

uint32_t SubBlockTable::stored_end(uint32_t i) const {
  return format::load_fixed32(table_ + i * format::kSubEntrySize);
}

uint64_t SubBlockTable::event_end(uint32_t i) const {
  return format::load_fixed32(table_ + i * format::kSubEntrySize + 4);
}

uint8_t SubBlockTable::codec(uint32_t i) const {
  return static_cast<uint8_t>(table_[i * format::kSubEntrySize + 8]);
}

std::string_view SubBlockTable::stored(uint32_t i) const {
  uint32_t from = i == 0 ? 0 : stored_end(i - 1);
  return stored_.substr(from, stored_end(i) - from);
}

}  // namespace esdb
