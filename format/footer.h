// The footer: the last kFooterSize (128) bytes of every file.
//
//   0  key_table_offset u64     8  key_count u64
//   16 hash_table_offset u64    24 bucket_count u64
//   32 event_count u64          40 chunk_count u64
//   48 data_bytes u64           56 raw_chunk_bytes u64
//   64 stored_chunk_bytes u64   72 min_timestamp i64
//   80 max_timestamp i64        88 required_flags u32
//   92 optional_flags u32       96 dictionary_offset u64 (only with
//   kFlagZstdDictionary, else zero and ignored)   104 reserved, 8 zero bytes
//   112 format_version u32      116 checksum u32 (of bytes 0..116)
//   120 magic u64
//
// The last 16 bytes (version, checksum, magic) keep their place in every
// future version, so a reader can always tell "newer" from "corrupt".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace esdb::format {

struct Footer {
  uint64_t key_table_offset = 0;
  uint64_t key_count = 0;
  uint64_t hash_table_offset = 0;
  uint64_t bucket_count = 0;
  uint64_t event_count = 0;
  uint64_t chunk_count = 0;
  uint64_t data_bytes = 0;
  uint64_t raw_chunk_bytes = 0;
  uint64_t stored_chunk_bytes = 0;
  int64_t min_timestamp = 0;
  int64_t max_timestamp = 0;
  uint32_t required_flags = 0;
  uint32_t optional_flags = 0;
  uint64_t dictionary_offset = 0;  // 0 unless required_flags has kFlagZstdDictionary
  uint32_t format_version = 0;

  // Where the key regions end: the dictionary block if any, else the key table.
  uint64_t regions_end() const { return dictionary_offset ? dictionary_offset : key_table_offset; }

  // Appends exactly kFooterSize bytes; `offset` is where they will start.
  void encode(std::string& out, uint64_t offset) const;
  // Parses the last kFooterSize bytes of a file. Returns "" on success or
  // what is wrong (magic, version, checksum, flags).
  std::string decode(std::string_view bytes, uint64_t offset);
};

}  // namespace esdb::format
