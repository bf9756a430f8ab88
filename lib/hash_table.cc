#include "hash_table.h"

#include <algorithm>

#include "file_sink.h"
#include "format/checksum.h"
#include "format/coding.h"
#include "format/format.h"

namespace esdb {

using format::kBucketSize;
using format::kKeyTablePageKeys;

uint64_t bucket_count_for(uint64_t keys) {
  return keys == 0 ? 0 : (keys + format::kKeysPerBucket - 1) / format::kKeysPerBucket;
}

uint64_t key_table_size(uint64_t keys) {
  uint64_t pages = (keys + kKeyTablePageKeys - 1) / kKeyTablePageKeys;
  return keys * 8 + pages * 4;
}

uint64_t write_key_tables(FileSink& sink, const std::vector<HashedKey>& keys, uint64_t bucket_count) {
  std::string page;
  for (size_t i = 0; i < keys.size(); i += kKeyTablePageKeys) {
    page.clear();
    uint64_t page_offset = sink.offset();
    for (size_t j = i; j < keys.size() && j < i + kKeyTablePageKeys; j++) format::put_fixed64(page, keys[j].dir_offset);
    format::put_fixed32(page, format::checksum(page, page_offset));
    sink.append(page);
  }

  const uint64_t table_offset = sink.offset();
  std::string table(bucket_count * kBucketSize, '\0');
  for (const HashedKey& k : keys) {
    uint64_t b = format::bucket_of(k.hash, bucket_count);
    while (static_cast<uint8_t>(table[b * kBucketSize + 56]) == format::kSlotsPerBucket) b = (b + 1) % bucket_count;
    char* bucket = table.data() + b * kBucketSize;
    uint8_t used = static_cast<uint8_t>(bucket[56]);
    format::store_fixed64(bucket + used * format::kSlotSize, k.hash);
    format::store_fixed48(bucket + used * format::kSlotSize + 8, k.dir_offset);
    bucket[56] = static_cast<char>(used + 1);
  }
  for (uint64_t b = 0; b < bucket_count; b++) {
    char* bucket = table.data() + b * kBucketSize;
    format::store_fixed32(bucket + 60, format::checksum(bucket, 60, table_offset + b * kBucketSize));
  }
  sink.append(table);
  return table_offset;
}

const char* key_table_page(const detail::File& f, uint64_t page, uint64_t& count, detail::Window& hold,
                           uint64_t ahead) {
  count = std::min(kKeyTablePageKeys, f.footer.key_count - page * kKeyTablePageKeys);
  uint64_t page_offset = f.footer.key_table_offset + page * (kKeyTablePageKeys * 8 + 4);
  // Bounds were checked on open.
  const uint64_t fetch_hi = std::max(page_offset + count * 8 + 4, std::min(page_offset + ahead, f.footer.hash_table_offset));
  hold = f.read(page_offset, count * 8 + 4, page_offset, fetch_hi);
  const char* p = hold.at(page_offset);
  if (format::checksum(p, count * 8, page_offset) != format::load_fixed32(p + count * 8)) {
    f.corrupt(page_offset, "key table page " + std::to_string(page) + " checksum mismatch");
  }
  return p;
}

Bucket read_bucket(const detail::File& f, uint64_t b) {
  // A remote file fetches the next bucket along: a full bucket's probe goes
  // on there, and costs no second request.
  const uint64_t offset = f.footer.hash_table_offset + b * kBucketSize;
  const uint64_t table_end = f.footer.hash_table_offset + f.footer.bucket_count * kBucketSize;
  return parse_bucket(f, f.read(offset, kBucketSize, offset, std::min(offset + 2 * kBucketSize, table_end)), b);
}

Bucket parse_bucket(const detail::File& f, const detail::Window& w, uint64_t b) {
  uint64_t offset = f.footer.hash_table_offset + b * kBucketSize;
  const char* p = f.span(w, offset, kBucketSize, offset, offset + kBucketSize, "hash bucket").data();
  if (format::checksum(p, 60, offset) != format::load_fixed32(p + 60)) {
    f.corrupt(offset, "hash bucket " + std::to_string(b) + " checksum mismatch");
  }
  Bucket out;
  out.used = static_cast<uint8_t>(p[56]);
  if (out.used > format::kSlotsPerBucket || p[57] || p[58] || p[59]) {
    f.corrupt(offset + 56, "hash bucket " + std::to_string(b) + " has a bad slot count");
  }
  for (unsigned s = 0; s < out.used; s++) {
    out.hash[s] = format::load_fixed64(p + s * format::kSlotSize);
    out.dir_offset[s] = format::load_fixed48(p + s * format::kSlotSize + 8);
  }
  return out;
}

}  // namespace esdb
