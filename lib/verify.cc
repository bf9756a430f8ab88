// Reader::verify: every checksum and every structural invariant, reported as
// a list of problems with their offsets rather than stopping at the first.

#include <algorithm>

#include "esdb/esdb.h"
#include "block.h"
#include "file.h"
#include "format/coding.h"
#include "format/format.h"
#include "hash_table.h"
#include "index_block.h"
#include "key_dir.h"
#include "scan_state.h"

namespace esdb {

using detail::KeyDir;

static constexpr size_t kMaxProblems = 1000;
static constexpr uint64_t kVerifyFetch = uint64_t{4} << 20;  // bytes per remote request

// A covered entry's copy must hold exactly the events its posting list
// names in the chunks: the same ordinals, timestamps and data, in order.
template <typename Report>
static void verify_cover(const std::shared_ptr<const KeyDir>& dir, const KeyDir::CoverEntry& r, Report& report) {
  ScanOptions o;
  o.index = IndexEntry{r.name, r.value};
  detail::ScanState copy(dir, o), chunks(dir, o, /*use_covers=*/false);
  for (;;) {
    const bool more = copy.next();
    if (more != chunks.next()) {
      report(r.cover.offset, "cover block of " + std::string(r.name) + "=" + std::string(r.value) +
                                 " holds a different number of events than its chunks");
      return;
    }
    if (!more) return;
    const Event &a = copy.event(), &b = chunks.event();
    if (a.timestamp != b.timestamp || a.data != b.data || a.ordinal != b.ordinal) {
      report(r.cover.offset, "cover block of " + std::string(r.name) + "=" + std::string(r.value) +
                                 " differs from its chunks at event " + std::to_string(b.ordinal));
      return;
    }
  }
}

std::vector<Problem> Reader::verify() const {
  const detail::File& f = *file_;
  const format::Footer& h = f.footer;
  std::vector<Problem> problems;
  auto report = [&](uint64_t offset, std::string what) {
    if (problems.size() < kMaxProblems) problems.push_back({offset, std::move(what)});
  };

  uint64_t used = 0;
  detail::Window buckets;  // a remote file's hash table comes in a few large requests
  for (uint64_t b = 0; b < h.bucket_count; b++) {
    try {
      const uint64_t at = h.hash_table_offset + b * format::kBucketSize;
      if (!buckets.covers(at, format::kBucketSize)) {
        buckets = f.read(at, format::kBucketSize, at, at + std::min<uint64_t>(kVerifyFetch, (h.bucket_count - b) * format::kBucketSize));
      }
      used += parse_bucket(f, buckets, b).used;
      const char* p = buckets.at(at);
      unsigned n = static_cast<uint8_t>(p[56]);
      if (std::any_of(p + n * format::kSlotSize, p + 56, [](char c) { return c != 0; })) {
        report(h.hash_table_offset + b * format::kBucketSize, "unused hash slots are not zero");
      }
    } catch (const Error& e) {
      report(e.offset(), e.detail());
    }
  }
  if (used != h.key_count) {
    report(h.hash_table_offset, "hash table holds " + std::to_string(used) + " keys, footer says " + std::to_string(h.key_count));
  }

  uint64_t events = 0, chunks = 0, data_bytes = 0, raw = 0, stored = 0;
  int64_t min_ts = kMaxTime, max_ts = kMinTime;
  uint64_t region = format::kHeaderSize;  // where the next key region must start
  std::string prev_key;
  const char* page = nullptr;
  uint64_t page_count = 0;
  detail::Window page_hold;
  for (uint64_t i = 0; i < h.key_count; i++) {
    uint64_t dir_offset;
    try {
      if (i % format::kKeyTablePageKeys == 0) page = key_table_page(f, i / format::kKeyTablePageKeys, page_count, page_hold, kVerifyFetch);
      if (page == nullptr) continue;
      dir_offset = format::load_fixed64(page + (i % format::kKeyTablePageKeys) * 8);
    } catch (const Error& e) {
      report(e.offset(), e.detail());
      page = nullptr;
      region = ~uint64_t{0};
      continue;
    }
    try {
      auto dir = KeyDir::parse(file_, dir_offset, 0, kVerifyFetch);
      const KeyDir& d = *dir;
      std::string name = "key " + std::to_string(i);
      if (i > 0 && d.key <= prev_key) report(dir_offset, name + " is not after the previous key");
      prev_key.assign(d.key);
      if (region != ~uint64_t{0} && d.chunk(0).offset != region) {
        report(d.chunk(0).offset, name + " region does not start where the previous one ended");
      }
      // Posting blocks, cover blocks, the index block, the dir: nothing between.
      uint64_t at = d.chunks_end;
      std::vector<IndexRecord> records;
      Buffer buf;
      if (d.index_size) {
        const detail::Window region = d.region();
        std::string_view payload = read_block(f, region, d.index_offset, d.index_size, d.chunks_end, d.offset, buf, "index block");
        std::string problem = parse_index_block(payload, d.event_count, records);
        if (!problem.empty()) throw Error(Errc::corrupt, f.path, d.index_offset, problem);
        for (const IndexRecord& r : records) {
          if (!r.external) continue;
          if (r.external_offset != at) report(r.external_offset, name + " posting block is not where expected");
          at = r.external_offset + r.deltas_len + format::kBlockTrailerSize;
        }
      }
      for (const KeyDir::CoverEntry& c : d.cover_entries()) {
        if (c.cover.offset != at) report(c.cover.offset, name + " cover block is not where expected");
        at = c.cover.offset + c.cover.size;
        verify_cover(dir, c, report);
      }
      if (d.index_size) {
        if (d.index_offset != at) report(d.index_offset, name + " index block is not where expected");
        at = d.index_offset + d.index_size;
      }
      if (at != d.offset) report(d.offset, name + " has unaccounted bytes before its key dir");
      region = d.end;

      auto found = find(d.key);
      if (!found || found->dir_->offset != d.offset) report(dir_offset, name + " cannot be found through the hash table");

      ScanOptions all;
      all.with_indexes = true;
      detail::ScanState scan(dir, all);
      uint64_t n = 0;
      while (scan.next()) {
        const Event& e = scan.event();
        if (e.ordinal != n) report(dir_offset, name + " scan skipped an event");
        n++;
        data_bytes += e.data.size();
        min_ts = std::min(min_ts, e.timestamp);
        max_ts = std::max(max_ts, e.timestamp);
      }
      if (n != d.event_count) report(dir_offset, name + " holds fewer events than its directory says");
      events += n;
      chunks += scan.chunks_loaded();
      raw += scan.raw_bytes_loaded;
      stored += scan.stored_bytes_loaded;
    } catch (const Error& e) {
      report(e.offset(), e.detail());
      region = ~uint64_t{0};
    }
  }
  if (region != ~uint64_t{0} && region != h.regions_end()) {
    report(region, "bytes between the last key and the key table (or zstd dictionary)");
  }
  if (problems.empty()) {
    uint64_t footer_offset = f.size - format::kFooterSize;
    if (events != h.event_count) report(footer_offset, "footer event count disagrees with the keys");
    if (chunks != h.chunk_count) report(footer_offset, "footer chunk count disagrees with the keys");
    if (data_bytes != h.data_bytes || raw != h.raw_chunk_bytes || stored != h.stored_chunk_bytes) {
      report(footer_offset, "footer byte counts disagree with the keys");
    }
    if (events && (min_ts != h.min_timestamp || max_ts != h.max_timestamp)) {
      report(footer_offset, "footer timestamp range disagrees with the keys");
    }
  }
  return problems;
}

}  // namespace esdb
