#include "key_block_builder.h"

#include <algorithm>

#include "block.h"
#include "file_sink.h"
#include "postings.h"
#include "format/checksum.h"
#include "format/coding.h"
#include "format/format.h"

namespace esdb {

// A key between its first event and its key dir reaching the file.
struct KeyBlockBuilder::PendingKey {
  std::string key;
  std::string chunk_entries;  // offsets filled in as chunks are written
  uint64_t chunk_count = 0;
  uint64_t ordinal = 0;
  uint64_t stored_bytes = 0;  // of its chunks, summed as they are written
  uint64_t cover_bytes = 0;   // held in its entries' covering copies
  size_t kept_bytes = 0;      // capacity held while in the free list
  std::vector<std::pair<std::string, uint64_t>> groups;  // name, first chunk
  PostingTable postings;
};

// Finished keys' state is kept for reuse up to this much in all (many small
// keys may be in flight at once), and never a key's above kKeepKeyBytes: a
// large key costs its allocations anew, which it amortises.
static constexpr size_t kKeepKeyBytes = 64 << 10;
static constexpr size_t kKeepAllBytes = 1 << 20;

KeyBlockBuilder::KeyBlockBuilder(FileSink& sink, const WriterOptions& options, FileTotals& totals,
                                 std::vector<HashedKey>& keys)
    : sink_(sink),
      options_(options),
      totals_(totals),
      keys_(keys),
      codec_(codec_of(options)),
      pipeline_(sink, codec_,
                options.compression_threads < 0 ? BlockPipeline::default_workers()
                                                : static_cast<unsigned>(options.compression_threads),
                options.zstd_dictionary_size) {
  chunk_.set_sub_block_size(options.sub_block_size, options.tail_sub_blocks);
  // Every key dir of the file then lists its covered entries (maybe none).
  if (!options.covered_indexes.empty()) sink_.require_flags(format::kFlagCoveredEntries);
}

KeyBlockBuilder::~KeyBlockBuilder() = default;

KeyBlockBuilder::PendingKey* KeyBlockBuilder::take_key() {
  if (free_keys_.empty()) {
    all_keys_.push_back(std::make_unique<PendingKey>());
    return all_keys_.back().get();
  }
  PendingKey* k = free_keys_.back();
  free_keys_.pop_back();
  kept_bytes_ -= k->kept_bytes;
  return k;
}

void KeyBlockBuilder::give_back(PendingKey* k) {
  const size_t held = k->postings.capacity_bytes() + k->chunk_entries.capacity() + k->key.capacity() +
                      k->groups.capacity() * sizeof(k->groups[0]);
  k->kept_bytes = held;
  if (held > kKeepKeyBytes || kept_bytes_ + held > kKeepAllBytes) {
    k->postings = PostingTable();
    std::string().swap(k->chunk_entries);
    std::string().swap(k->key);
    std::vector<std::pair<std::string, uint64_t>>().swap(k->groups);
    k->kept_bytes = 0;
  }
  kept_bytes_ += k->kept_bytes;
  k->postings.clear();
  k->chunk_entries.clear();
  k->groups.clear();
  k->chunk_count = k->ordinal = k->stored_bytes = k->cover_bytes = 0;
  free_keys_.push_back(k);
}

void KeyBlockBuilder::begin(std::string_view key) {
  key_ = take_key();
  key_->key.assign(key);
  chunk_.reset();
}

void KeyBlockBuilder::flush() { pipeline_.flush(); }

void KeyBlockBuilder::add(std::string_view group, int64_t ts, std::string_view data,
                          std::span<const IndexEntry> indexes) {
  PendingKey& k = *key_;
  if (k.groups.empty() || k.groups.back().first != group) {
    // A chunk never spans two groups, so every chunk is in timestamp order.
    if (!chunk_.empty()) flush_chunk(true);
    k.groups.emplace_back(std::string(group), k.chunk_count);
  } else if (!chunk_.empty() &&
             chunk_.size() + ChunkBuilder::encoded_size(ts, data.size(), false, chunk_.last_ts()) > options_.chunk_size) {
    flush_chunk(false);
  }
  chunk_.add(ts, data);
  for (const IndexEntry& e : indexes) {
    PostingTable::Entry& entry = k.postings.add(e.name, e.value, k.ordinal);
    if (entry.cover != PostingTable::Entry::Cover::off && !options_.covered_indexes.empty()) cover(k, entry, ts, data);
  }
  k.ordinal++;
  totals_.events++;
  totals_.data_bytes += data.size();
  totals_.min_ts = std::min(totals_.min_ts, ts);
  totals_.max_ts = std::max(totals_.max_ts, ts);
}

// What WriterOptions::covered_indexes says of an entry: "name=value" pins
// it, "name" copies it while sparse.
PostingTable::Entry::Cover KeyBlockBuilder::cover_rule(std::string_view name, std::string_view value) const {
  using Cover = PostingTable::Entry::Cover;
  Cover rule = Cover::off;
  for (const std::string& c : options_.covered_indexes) {
    if (c.size() == name.size() + 1 + value.size() && c.compare(0, name.size(), name) == 0 && c[name.size()] == '=' &&
        c.compare(name.size() + 1, std::string::npos, value) == 0) {
      return Cover::pinned;
    }
    if (c == name) rule = Cover::copying;
  }
  return rule;
}

// More than cover_max_share of `events`: too dense to copy by name.
bool KeyBlockBuilder::over_share(uint64_t count, uint64_t events) const {
  return static_cast<double>(count) > options_.cover_max_share * static_cast<double>(events);
}

// An entry of a covered name is copied while it stays sparse: past this
// many events, one carrying more than cover_max_share of the key's events
// so far is dropped, so dense values (most of a key) are never held.
static constexpr uint64_t kCoverSlackEvents = 16;

// Appends the event to the entry's covering copy (SPEC.md, "Covered index
// entries"): ordinal - previous ordinal | zigzag(ts - previous ts) |
// data_len | data, the timestamp delta wrapping so any two have one, and
// both previous values 0 at the start of each sub-block (of sub_block_size
// bytes, else chunk_size), so each decodes alone. A copy that turns dense,
// or would take the key's copies past kMaxCoverBytesPerKey, is dropped for
// good: the entry is then read through its chunks, as without covers.
void KeyBlockBuilder::cover(PendingKey& k, PostingTable::Entry& entry, int64_t ts, std::string_view data) {
  using Cover = PostingTable::Entry::Cover;
  if (entry.cover == Cover::undecided) {
    entry.cover = cover_rule(k.postings.name(entry), k.postings.value(entry));
    if (entry.cover == Cover::off) return;
  }
  if (entry.cover_count == entry.postings.count()) return;  // this event carries the entry twice
  std::string& out = entry.cover_events;
  const size_t sub_size = options_.sub_block_size ? options_.sub_block_size : options_.chunk_size;
  const bool new_sub = out.size() > entry.cover_sub_start && out.size() - entry.cover_sub_start + data.size() > sub_size;
  const bool first = new_sub || out.size() == entry.cover_sub_start;
  const uint64_t ordinal_delta = k.ordinal - (first ? 0 : entry.cover_last_ordinal);
  const int64_t prev = first ? 0 : entry.cover_last_ts;
  const uint64_t zz = format::zigzag(static_cast<int64_t>(static_cast<uint64_t>(ts) - static_cast<uint64_t>(prev)));
  const uint64_t added =
      format::varint_size(ordinal_delta) + format::varint_size(zz) + format::varint_size(data.size()) + data.size();
  const uint64_t count = entry.postings.count();
  const bool dense = entry.cover == Cover::copying && count > kCoverSlackEvents && over_share(count, k.ordinal + 1);
  if (dense || k.cover_bytes + added > format::kMaxCoverBytesPerKey) {
    entry.cover = Cover::off;
    k.cover_bytes -= out.size();
    out.clear();
    entry.cover_subs.clear();
    return;
  }
  if (new_sub) {
    entry.cover_subs.push_back({static_cast<uint32_t>(out.size()), static_cast<uint32_t>(entry.cover_count)});
    entry.cover_sub_start = out.size();
  }
  format::put_varint(out, ordinal_delta);
  format::put_varint(out, zz);
  format::put_varint(out, data.size());
  out.append(data);
  entry.cover_count++;
  entry.cover_last_ts = ts;
  entry.cover_last_ordinal = k.ordinal;
  k.cover_bytes += added;
}

void KeyBlockBuilder::flush_chunk(bool newest) {
  PendingKey& k = *key_;
  size_t entry = k.chunk_entries.size();
  encode_chunk_entry(k.chunk_entries, ChunkEntry{0, k.ordinal, chunk_.first_ts(), chunk_.last_ts()});
  k.chunk_count++;
  totals_.chunks++;
  std::vector<SubEnd> subs = chunk_.take_subs(newest);
  totals_.raw_chunk_bytes += chunk_.size();  // after a split, which adds bytes
  pipeline_.submit(chunk_.take_payload(pipeline_.take_buffer()), std::move(subs), [key = key_, entry](uint64_t offset, uint64_t stored) {
    format::store_fixed64(key->chunk_entries.data() + entry, offset);
    key->stored_bytes += stored;
  });
}

void KeyBlockBuilder::finish() {
  flush_chunk(true);
  pipeline_.then([this, key = key_] {
    write_tail(*key);
    give_back(key);
  });
  key_ = nullptr;
}

void KeyBlockBuilder::write_tail(PendingKey& k) {
  const uint64_t chunks_end = sink_.offset();

  // Long posting lists first, each its own raw block, in entry order.
  k.postings.sorted(sorted_);
  std::vector<uint64_t>& external = external_;
  external.assign(sorted_.size(), 0);
  for (size_t i = 0; i < sorted_.size(); i++) {
    const std::string& d = sorted_[i]->postings.deltas();
    if (d.size() > format::kMaxInlinePostingBytes) {
      external[i] = sink_.offset();
      write_block(sink_, d, Codec{Compression::none}, scratch_);
    }
  }

  // Then the covering copies of sparse covered entries, in entry order.
  const bool covers = !options_.covered_indexes.empty();
  std::vector<std::pair<uint64_t, uint64_t>>& cover_blocks = cover_blocks_;  // offset, size; 0 if none
  cover_blocks.assign(sorted_.size(), {0, 0});
  for (size_t i = 0; covers && i < sorted_.size(); i++) {
    const PostingTable::Entry& e = *sorted_[i];
    using Cover = PostingTable::Entry::Cover;
    if (e.cover == Cover::off || e.cover == Cover::undecided ||
        (e.cover == Cover::copying && over_share(e.postings.count(), k.ordinal))) {
      continue;
    }
    // One block, or sub-blocks (type 3) where the copy outgrew one.
    std::vector<SubEnd>& subs = cover_subs_;
    subs.assign(e.cover_subs.begin(), e.cover_subs.end());
    subs.push_back({static_cast<uint32_t>(e.cover_events.size()), static_cast<uint32_t>(e.cover_count)});
    const uint8_t type = encode_chunk(e.cover_events, subs, pipeline_.codec(), cover_stored_, scratch_);
    cover_blocks[i].first = sink_.offset();
    cover_blocks[i].second =
        append_block(sink_, type == format::kRawBlock ? std::string_view(e.cover_events) : std::string_view(cover_stored_), type);
  }

  uint64_t index_offset = 0, index_size = 0;
  if (!sorted_.empty()) {
    std::string& payload = payload_;
    payload.clear();
    format::put_varint(payload, sorted_.size());
    for (size_t i = 0; i < sorted_.size(); i++) {
      const PostingBuilder& p = sorted_[i]->postings;
      format::put_bytes(payload, k.postings.name(*sorted_[i]));
      format::put_bytes(payload, k.postings.value(*sorted_[i]));
      format::put_varint(payload, p.count());
      format::put_varint(payload, p.first());
      format::put_varint(payload, p.last());
      format::put_varint(payload, (p.deltas().size() << 1) | (external[i] ? 1 : 0));
      if (external[i]) format::put_varint(payload, external[i]); else payload.append(p.deltas());
    }
    index_offset = sink_.offset();
    index_size = write_block(sink_, payload, pipeline_.codec(), scratch_);  // with the dictionary, if any
  }

  std::string& dir = dir_;
  dir.assign(4, '\0');
  format::put_bytes(dir, k.key);
  format::put_varint(dir, k.chunk_count);
  bool ungrouped = k.groups.size() == 1 && k.groups[0].first.empty();
  format::put_varint(dir, ungrouped ? 0 : k.groups.size());
  if (!ungrouped) {
    for (const auto& [name, first] : k.groups) {
      format::put_bytes(dir, name);
      format::put_varint(dir, first);
    }
  }
  format::put_varint(dir, index_offset);
  format::put_varint(dir, index_size);
  format::put_varint(dir, chunks_end);
  if (covers) {
    // The covered entries, in entry order: an index scan of one reads its
    // copy from here, without the index block.
    size_t n = 0;
    for (const auto& c : cover_blocks) n += c.second != 0;
    format::put_varint(dir, n);
    for (size_t i = 0; i < sorted_.size(); i++) {
      if (cover_blocks[i].second == 0) continue;
      format::put_bytes(dir, k.postings.name(*sorted_[i]));
      format::put_bytes(dir, k.postings.value(*sorted_[i]));
      format::put_varint(dir, sorted_[i]->postings.count());
      format::put_varint(dir, cover_blocks[i].first);
      format::put_varint(dir, cover_blocks[i].second);
    }
  }
  dir.append(k.chunk_entries);
  if (dir.size() - 4 > UINT32_MAX) {
    throw Error(Errc::invalid_argument, sink_.path(), Error::kNoOffset, "key has too many chunks for one key dir");
  }
  uint64_t dir_offset = sink_.offset();
  format::store_fixed32(dir.data(), static_cast<uint32_t>(dir.size() - 4));
  format::put_fixed32(dir, format::checksum(dir, dir_offset));
  sink_.append(dir);
  keys_.push_back({format::key_hash(k.key), dir_offset});
  totals_.stored_chunk_bytes += k.stored_bytes;
}

}  // namespace esdb
