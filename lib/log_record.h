// The bytes of an ingest log (SPEC.md, "Ingest log"):
//
//   log    := header record*
//   header := "ESDBlog\n" | version: u32 (= 1) | checksum(bytes 0..11, 0): u32     (16 bytes)
//   record := length: u32 | payload_check: u32 | header_check: u32 | payload
//     payload_check = checksum(payload, offset of payload)
//     header_check  = checksum(length | payload_check, offset of record)
//   payload := type: u8 (= 1, event) | key: bytes | group: bytes | timestamp: zigzag varint
//            | data: bytes | index_count: varint | index_count x (name: bytes | value: bytes)
//
// The header of a record has its own checksum so that a reader can look for
// the next record after damage at the cost of one 8-byte hash per offset:
// that search is what tells a torn tail (nothing valid after it) from damage
// in the middle (a valid record after it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "esdb/esdb.h"

namespace esdb::detail {

inline constexpr char kLogMagic[8] = {'E', 'S', 'D', 'B', 'l', 'o', 'g', '\n'};
inline constexpr uint32_t kLogVersion = 1;
inline constexpr uint64_t kLogHeaderSize = 16;
inline constexpr uint64_t kRecordHeaderSize = 12;
inline constexpr uint8_t kRecordEvent = 1;
// Keys and names follow the file format's limits; data up to 2^31 bytes.
inline constexpr uint64_t kMaxRecordPayload = (uint64_t{1} << 31) + 4 * 65536 + 1024;

std::string log_header();
// Why the 16 bytes are not a log header, or "" when they are.
std::string check_log_header(std::string_view bytes);

// Appends the record for `e` at file offset `offset` to `out`.
void encode_record(std::string& out, uint64_t offset, const EventInput& e);

// A decoded payload; views into the payload bytes.
struct LogEvent {
  std::string_view key;
  std::string_view group;
  int64_t timestamp = 0;
  std::string_view data;
  std::vector<IndexEntry> indexes;
};
// Why the payload is malformed, or "" (and `out` filled) when it is sound.
std::string decode_payload(std::string_view payload, LogEvent& out);

// The record header at `offset` (12 bytes in `h`): its payload length when
// the header checksum holds, else -1.
int64_t record_length(const char* h, uint64_t offset);
bool payload_ok(const char* h, std::string_view payload, uint64_t offset);

}  // namespace esdb::detail
