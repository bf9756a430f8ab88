#include "key_block_builder.h"

#include <algorithm>

#include "block.h"
#include "file_sink.h"
#include "format/checksum.h"
#include "format/coding.h"
#include "format/format.h"

namespace esdb {

KeyBlockBuilder::KeyBlockBuilder(FileSink& sink, const WriterOptions& options, FileTotals& totals)
    : sink_(sink), options_(options), totals_(totals) {}

void KeyBlockBuilder::begin(std::string_view key) {
  key_.assign(key);
  chunk_.reset();
  chunk_entries_.clear();
  chunk_count_ = 0;
  ordinal_ = 0;
  groups_.clear();
  group_open_ = false;
  postings_.clear();
}

void KeyBlockBuilder::add(std::string_view group, int64_t ts, std::string_view data,
                          std::span<const IndexEntry> indexes) {
  if (!group_open_ || groups_.back().first != group) {
    // A chunk never spans two groups, so every chunk is in timestamp order.
    if (!chunk_.empty()) flush_chunk();
    groups_.emplace_back(std::string(group), chunk_count_);
    group_open_ = true;
  } else if (!chunk_.empty() &&
             chunk_.size() + ChunkBuilder::encoded_size(ts, data.size(), false, chunk_.last_ts()) > options_.chunk_size) {
    flush_chunk();
  }
  chunk_.add(ts, data);
  for (const IndexEntry& e : indexes) {
    entry_key_.clear();
    format::put_fixed32(entry_key_, static_cast<uint32_t>(e.name.size()));
    entry_key_.append(e.name);
    entry_key_.append(e.value);
    PostingBuilder& p = postings_[entry_key_];
    if (p.count() == 0 || p.last() != ordinal_) p.add(ordinal_);  // an entry repeated in one event counts once
  }
  ordinal_++;
  totals_.events++;
  totals_.data_bytes += data.size();
  totals_.min_ts = std::min(totals_.min_ts, ts);
  totals_.max_ts = std::max(totals_.max_ts, ts);
}

void KeyBlockBuilder::flush_chunk() {
  ChunkEntry e{sink_.offset(), ordinal_, chunk_.first_ts(), chunk_.last_ts()};
  uint64_t stored = write_block(sink_, chunk_.payload(), options_.compress, scratch_);
  encode_chunk_entry(chunk_entries_, e);
  chunk_count_++;
  totals_.chunks++;
  totals_.raw_chunk_bytes += chunk_.size();
  totals_.stored_chunk_bytes += stored;
  chunk_.reset();
}

uint64_t KeyBlockBuilder::finish() {
  flush_chunk();
  const uint64_t chunks_end = sink_.offset();

  // Long posting lists first, each its own raw block, in entry order.
  std::vector<std::pair<std::string_view, const PostingBuilder*>> entries;
  entries.reserve(postings_.size());
  for (const auto& [k, p] : postings_) entries.emplace_back(k, &p);
  auto split = [](std::string_view k) {
    uint32_t n = format::load_fixed32(k.data());
    return std::pair(k.substr(4, n), k.substr(4 + n));
  };
  std::sort(entries.begin(), entries.end(), [&](const auto& a, const auto& b) { return split(a.first) < split(b.first); });
  std::vector<uint64_t> external(entries.size(), 0);
  for (size_t i = 0; i < entries.size(); i++) {
    const std::string& d = entries[i].second->deltas();
    if (d.size() > format::kMaxInlinePostingBytes) {
      external[i] = sink_.offset();
      write_block(sink_, d, false, scratch_);
    }
  }

  uint64_t index_offset = 0, index_size = 0;
  if (!entries.empty()) {
    std::string payload;
    format::put_varint(payload, entries.size());
    for (size_t i = 0; i < entries.size(); i++) {
      auto [name, value] = split(entries[i].first);
      const PostingBuilder& p = *entries[i].second;
      format::put_bytes(payload, name);
      format::put_bytes(payload, value);
      format::put_varint(payload, p.count());
      format::put_varint(payload, p.first());
      format::put_varint(payload, p.last());
      format::put_varint(payload, (p.deltas().size() << 1) | (external[i] ? 1 : 0));
      if (external[i]) format::put_varint(payload, external[i]); else payload.append(p.deltas());
    }
    index_offset = sink_.offset();
    index_size = write_block(sink_, payload, options_.compress, scratch_);
  }

  std::string dir(4, '\0');
  format::put_bytes(dir, key_);
  format::put_varint(dir, chunk_count_);
  bool ungrouped = groups_.size() == 1 && groups_[0].first.empty();
  format::put_varint(dir, ungrouped ? 0 : groups_.size());
  if (!ungrouped) {
    for (const auto& [name, first] : groups_) {
      format::put_bytes(dir, name);
      format::put_varint(dir, first);
    }
  }
  format::put_varint(dir, index_offset);
  format::put_varint(dir, index_size);
  format::put_varint(dir, chunks_end);
  dir.append(chunk_entries_);
  uint64_t dir_offset = sink_.offset();
  format::store_fixed32(dir.data(), static_cast<uint32_t>(dir.size() - 4));
  format::put_fixed32(dir, format::checksum(dir, dir_offset));
  sink_.append(dir);
  return dir_offset;
}

}  // namespace esdb
