#include "key_dir.h"

#include <algorithm>

#include "format/checksum.h"
#include "format/coding.h"
#include "format/format.h"

namespace esdb::detail {

uint64_t KeyDir::chunk_of(uint64_t ordinal, uint64_t lo, uint64_t hi) const {
  while (lo < hi) {  // first chunk whose end_ordinal > ordinal
    uint64_t mid = lo + (hi - lo) / 2;
    if (chunk(mid).end_ordinal > ordinal) hi = mid; else lo = mid + 1;
  }
  return lo;
}

Window KeyDir::region() const {
  const uint64_t begin = chunk(0).offset;  // parse() checked begin < end
  if (bytes.covers(begin, end - begin)) return bytes;
  return file->read(begin, end - begin);
}

static bool read_cover_entry(format::Cursor& c, std::string_view& name, std::string_view& value, KeyDir::Cover& e) {
  return c.prefixed(name, format::kMaxIndexNameSize) && c.prefixed(value, format::kMaxIndexValueSize) &&
         c.varint(e.count) && c.varint(e.offset) && c.varint(e.size);
}

std::shared_ptr<const KeyDir> KeyDir::parse(std::shared_ptr<const File> file, uint64_t offset, uint64_t before,
                                            uint64_t after) {
  const File& f = *file;
  const uint64_t region_end = f.footer.regions_end();
  f.check(offset, 4, format::kHeaderSize, region_end, "key dir length");
  Window w;
  if (f.all.data) [[likely]] {
    w = f.all;  // a mapped file: no fetch to plan
  } else {
    const uint64_t fetch_lo = offset - std::min(before, offset - format::kHeaderSize);
    const uint64_t fetch_hi = offset + std::min(std::max({after, f.options.dir_bytes, uint64_t{8}}), region_end - offset);
    w = f.read(offset, 4, fetch_lo, fetch_hi);
  }
  std::string_view len_bytes = f.span(w, offset, 4, format::kHeaderSize, region_end, "key dir length");
  uint64_t body_len = format::load_fixed32(len_bytes.data());
  if (!w.covers(offset, 8 + body_len)) {  // a long dir: one more request
    f.check(offset, 8 + body_len, format::kHeaderSize, region_end, "key dir");
    w = f.read(offset, 8 + body_len);
  }
  std::string_view whole = f.span(w, offset, 8 + body_len, format::kHeaderSize, region_end, "key dir");
  if (format::checksum(whole.data(), 4 + body_len, offset) != format::load_fixed32(whole.data() + 4 + body_len)) {
    f.corrupt(offset, "key dir checksum mismatch");
  }
  auto d = std::make_shared<KeyDir>();
  d->file = std::move(file);
  d->bytes = std::move(w);
  d->offset = offset;
  d->end = offset + 8 + body_len;
  format::Cursor c(whole.data() + 4, whole.data() + 4 + body_len);
  auto bad = [&](const std::string& what) { f.corrupt(offset + 4 + c.position(), "key dir: " + what); };
  uint64_t group_count;
  if (!c.prefixed(d->key, format::kMaxKeySize) || d->key.empty()) bad("bad key");
  if (!c.varint(d->chunk_count) || d->chunk_count == 0 || d->chunk_count > body_len / format::kChunkEntrySize) {
    bad("bad chunk count");
  }
  if (!c.varint(group_count) || group_count > d->chunk_count) bad("bad group count");
  d->groups.reserve(group_count ? group_count : 1);
  for (uint64_t i = 0; i < group_count; i++) {
    Group g;
    if (!c.prefixed(g.name, format::kMaxGroupSize) || !c.varint(g.first_chunk)) bad("truncated group");
    if (i == 0 ? g.first_chunk != 0
               : (g.first_chunk <= d->groups.back().first_chunk || g.name <= d->groups.back().name)) {
      bad("groups out of order");
    }
    if (g.first_chunk >= d->chunk_count) bad("group starts past the last chunk");
    if (!d->groups.empty()) d->groups.back().end_chunk = g.first_chunk;
    d->groups.push_back(g);
  }
  if (group_count == 0) d->groups.push_back(Group{"", 0, 0});
  d->groups.back().end_chunk = d->chunk_count;
  if (!c.varint(d->index_offset) || !c.varint(d->index_size) || !c.varint(d->chunks_end)) bad("truncated");
  if (f.covers()) {
    // Checked here, once: sorted, each copy a block of events inside the
    // key's region after its chunks (read_block checks the exact bounds).
    uint64_t n;
    const char* from = c.data();
    if (!c.varint(n) || n > c.remaining() / 5) bad("bad cover count");
    std::string_view prev_name, prev_value;
    for (uint64_t i = 0; i < n; i++) {
      std::string_view name, value;
      Cover e;
      if (!read_cover_entry(c, name, value, e)) bad("truncated cover entry");
      if (i > 0 && (name < prev_name || (name == prev_name && value <= prev_value))) bad("cover entries out of order");
      if (e.count == 0 || e.size <= format::kBlockTrailerSize || e.offset > offset || e.size > offset - e.offset) {
        bad("cover entry " + std::to_string(i) + " is inconsistent");
      }
      prev_name = name;
      prev_value = value;
    }
    d->covers = std::string_view(from, static_cast<size_t>(c.data() - from));
  }
  if (c.remaining() != d->chunk_count * format::kChunkEntrySize) bad("chunk directory has the wrong size");
  d->chunk_entries = c.data();

  // Check the directory as a whole once, so scans can trust its order.
  if (d->chunks_end > offset) bad("chunks end past the key dir");
  // No index block is written as offset 0 and size 0; a lone offset would let
  // two readers disagree on whether the key has index entries.
  if (d->index_size == 0 && d->index_offset != 0) bad("index offset without an index block");
  if (d->index_size != 0 && d->index_size <= format::kBlockTrailerSize) bad("index block is empty");
  if (d->index_size != 0 && (d->index_offset < d->chunks_end || d->index_offset > offset ||
                             d->index_size > offset - d->index_offset)) {
    bad("index block outside the key's region");
  }
  size_t group = 0;
  ChunkEntry prev;
  for (uint64_t i = 0; i < d->chunk_count; i++) {
    ChunkEntry e = d->chunk(i);
    uint64_t end = i + 1 < d->chunk_count ? d->chunk(i + 1).offset : d->chunks_end;
    bool new_group = i == d->groups[group].end_chunk;
    if (new_group) group++;
    if (e.offset < format::kHeaderSize || end <= e.offset || end - e.offset <= format::kBlockTrailerSize ||
        e.end_ordinal <= (i ? prev.end_ordinal : 0) || e.first_ts > e.last_ts ||
        (i > 0 && !new_group && e.first_ts < prev.last_ts)) {
      f.corrupt(offset, "key dir: chunk " + std::to_string(i) + " entry is inconsistent");
    }
    prev = e;
  }
  d->event_count = prev.end_ordinal;
  return d;
}

std::optional<KeyDir::Cover> KeyDir::find_cover(std::string_view name, std::string_view value) const {
  for (const CoverEntry& e : cover_entries()) {
    if (e.name == name && e.value == value) return e.cover;
  }
  return std::nullopt;
}

std::vector<KeyDir::CoverEntry> KeyDir::cover_entries() const {
  // Parsed and checked with the dir; a few entries at most.
  std::vector<CoverEntry> out;
  format::Cursor c(covers.data(), covers.data() + covers.size());
  uint64_t n = 0;
  if (!covers.empty()) c.varint(n);
  out.resize(n);
  for (CoverEntry& e : out) read_cover_entry(c, e.name, e.value, e.cover);
  return out;
}

}  // namespace esdb::detail
