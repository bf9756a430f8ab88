// The key table and the hash table, written after the last key region.
//
//   key_table  := page*; page := up to 512 x key_dir_offset: u64 | checksum: u32
//                 (keys in stored order, so keys() is a sequential walk)
//   hash_table := bucket_count x bucket (64 bytes)
//   bucket     := 4 x slot | used: u8 | 3 zero bytes | checksum: u32 (of bytes 0..60)
//   slot       := hash: u64 | key_dir_offset: u48  (unused slots are zero)
//
// A key lives in bucket bucket_of(key_hash(key), bucket_count) or, when that
// is full, in the next one with room (wrapping around). Lookup reads one
// bucket (one cache line) almost always, compares stored hashes, and opens
// the key dir only on a hash match; a bucket with a free slot ends a miss.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "file.h"

namespace esdb {

class FileSink;

struct HashedKey {
  uint64_t hash;
  uint64_t dir_offset;
};

uint64_t bucket_count_for(uint64_t keys);
// Appends the key table and the hash table; returns the hash table offset.
uint64_t write_key_tables(FileSink& sink, const std::vector<HashedKey>& keys, uint64_t bucket_count);
uint64_t key_table_size(uint64_t keys);

// Checks page `page` of the key table; returns its entries and count.
// `hold` keeps the bytes alive (a remote file fetches the page, with up to
// `ahead` bytes of the key table after it for a walk).
const char* key_table_page(const detail::File& f, uint64_t page, uint64_t& count, detail::Window& hold,
                           uint64_t ahead = 0);

struct Bucket {
  uint64_t hash[4];
  uint64_t dir_offset[4];
  unsigned used;
};
// Reads and checks bucket `b` (a remote file fetches its 64 bytes).
Bucket read_bucket(const detail::File& f, uint64_t b);
// The same from `w`, which must cover the bucket (verify fetches many at once).
Bucket parse_bucket(const detail::File& f, const detail::Window& w, uint64_t b);

}  // namespace esdb
