#include "key_block_builder.h"

#include <algorithm>
#include <unordered_map>

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
  std::vector<std::pair<std::string, uint64_t>> groups;  // name, first chunk
  // Posting lists by entry, keyed by name_len:u32 | name | value.
  std::unordered_map<std::string, PostingBuilder> postings;
};

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
}

KeyBlockBuilder::~KeyBlockBuilder() = default;

void KeyBlockBuilder::begin(std::string_view key) {
  key_ = std::make_shared<PendingKey>();
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
    entry_key_.clear();
    format::put_fixed32(entry_key_, static_cast<uint32_t>(e.name.size()));
    entry_key_.append(e.name);
    entry_key_.append(e.value);
    PostingBuilder& p = k.postings[entry_key_];
    if (p.count() == 0 || p.last() != k.ordinal) p.add(k.ordinal);  // an entry repeated in one event counts once
  }
  k.ordinal++;
  totals_.events++;
  totals_.data_bytes += data.size();
  totals_.min_ts = std::min(totals_.min_ts, ts);
  totals_.max_ts = std::max(totals_.max_ts, ts);
}

void KeyBlockBuilder::flush_chunk(bool newest) {
  PendingKey& k = *key_;
  size_t entry = k.chunk_entries.size();
  encode_chunk_entry(k.chunk_entries, ChunkEntry{0, k.ordinal, chunk_.first_ts(), chunk_.last_ts()});
  k.chunk_count++;
  totals_.chunks++;
  std::vector<SubEnd> subs = chunk_.take_subs(newest);
  totals_.raw_chunk_bytes += chunk_.size();  // after a split, which adds bytes
  pipeline_.submit(chunk_.take_payload(pipeline_.take_buffer()), std::move(subs), [this, key = key_, entry](uint64_t offset, uint64_t stored) {
    format::store_fixed64(key->chunk_entries.data() + entry, offset);
    totals_.stored_chunk_bytes += stored;
  });
}

void KeyBlockBuilder::finish() {
  flush_chunk(true);
  pipeline_.then([this, key = std::move(key_)] { write_tail(*key); });
}

void KeyBlockBuilder::write_tail(PendingKey& k) {
  const uint64_t chunks_end = sink_.offset();

  // Long posting lists first, each its own raw block, in entry order.
  std::vector<std::pair<std::string_view, const PostingBuilder*>> entries;
  entries.reserve(k.postings.size());
  for (const auto& [name, p] : k.postings) entries.emplace_back(name, &p);
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
      write_block(sink_, d, Codec{Compression::none}, scratch_);
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
    index_size = write_block(sink_, payload, pipeline_.codec(), scratch_);  // with the dictionary, if any
  }

  std::string dir(4, '\0');
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
  dir.append(k.chunk_entries);
  if (dir.size() - 4 > UINT32_MAX) {
    throw Error(Errc::invalid_argument, sink_.path(), Error::kNoOffset, "key has too many chunks for one key dir");
  }
  uint64_t dir_offset = sink_.offset();
  format::store_fixed32(dir.data(), static_cast<uint32_t>(dir.size() - 4));
  format::put_fixed32(dir, format::checksum(dir, dir_offset));
  sink_.append(dir);
  keys_.push_back({format::key_hash(k.key), dir_offset});
}

}  // namespace esdb
