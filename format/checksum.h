// Checksums and the key hash.
//
//   checksum(bytes, offset) = low 32 bits of XXH3_64bits_withSeed(bytes, offset)
//   key_hash(key)           = XXH3_64bits_withSeed(key, 0)
//
// Seeding the checksum with the absolute file offset of the covered bytes
// binds a block to its place: a valid block found at the wrong offset fails.
#pragma once

#include <cstdint>
#include <string_view>

namespace esdb::format {

uint32_t checksum(const char* data, size_t n, uint64_t offset);
inline uint32_t checksum(std::string_view s, uint64_t offset) {
  return checksum(s.data(), s.size(), offset);
}
// The checksum of a | b, without joining them.
uint32_t checksum_parts(std::string_view a, std::string_view b, uint64_t offset);
uint64_t key_hash(std::string_view key);

// The hash table bucket for a hash: the high 64 bits of hash * bucket_count,
// which spreads the full 64-bit range evenly over any bucket count.
inline uint64_t bucket_of(uint64_t hash, uint64_t bucket_count) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(hash) * bucket_count) >> 64);
}

}  // namespace esdb::format
