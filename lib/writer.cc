// Writer: checks each event, hands it to the Sorter, and at finish() streams
// the sorted events through one KeyBlockBuilder per key, then writes the key
// table, the hash table and the footer.
//
// Memory: the Sorter's budget (events in flight, in one or two buffers), plus 16 bytes per key for
// the key and hash tables (built at the end), plus the posting lists of the keys being written
// (and up to 1 MiB of finished keys' state kept for reuse: key_block_builder.h).

#include <algorithm>

#include "block.h"
#include "block_pipeline.h"
#include "build_timeline.h"
#include "esdb/esdb.h"
#include "file.h"
#include "file_sink.h"
#include "format/checksum.h"
#include "format/footer.h"
#include "format/format.h"
#include "hash_table.h"
#include "key_block_builder.h"
#include "sorter.h"

namespace esdb {

// The threads that compress chunks also allow one that sorts and spills a
// full buffer while add() fills the other.
static bool background_sort(const WriterOptions& o) {
  return o.compression_threads < 0 ? BlockPipeline::default_workers() > 0 : o.compression_threads > 0;
}

struct Writer::Impl {
  Impl(const std::string& path, const WriterOptions& o)
      : options(o), sink(path, o.overwrite, o.sync, o.s3_part_size), sorter(path, o.memory_budget, background_sort(o)), builder(sink, options, totals, keys) {
    sink.append(std::string_view(format::kHeaderMagic, format::kHeaderSize));
  }

  [[noreturn]] void invalid(const std::string& what) const {
    throw Error(Errc::invalid_argument, sink.path(), Error::kNoOffset, what);
  }

  // Takes the next event in file order.
  void emit(const SortedEvent& e) {
    if (!key_open || e.key != current_key) {
      close_key();
      current_key.assign(e.key);
      builder.begin(e.key);
      key_open = true;
    }
    builder.add(e.group, e.timestamp, e.data, e.indexes);
  }
  void close_key() {
    if (key_open) builder.finish();
    key_open = false;
  }
  // For sorted_input: the event must not come before the previous one.
  void check_order(const EventInput& e) {
    if (key_open) {
      int c = e.key.compare(current_key);
      if (c == 0) c = e.group.compare(last_group);
      if (c < 0 || (c == 0 && e.timestamp < last_ts)) {
        invalid("event out of order for sorted_input (key, group, timestamp must not decrease)");
      }
    }
    last_group.assign(e.group);
    last_ts = e.timestamp;
  }

  WriterOptions options;
  FileSink sink;
  Sorter sorter;
  FileTotals totals;
  std::vector<HashedKey> keys;
  KeyBlockBuilder builder;
  std::string current_key;
  bool key_open = false;
  std::string last_group;
  int64_t last_ts = 0;
  bool finished = false;
};

Writer::Writer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Writer::Writer(Writer&&) noexcept = default;
Writer& Writer::operator=(Writer&&) noexcept = default;
Writer::~Writer() = default;

Writer Writer::create(const std::string& path, const WriterOptions& options) {
  if (options.chunk_size == 0 || options.chunk_size > format::kMaxChunkRawSize) {
    throw Error(Errc::invalid_argument, path, Error::kNoOffset, "chunk_size must be in 1..2^31");
  }
  if (options.compression_level < -131072 || options.compression_level > 22) {
    throw Error(Errc::invalid_argument, path, Error::kNoOffset, "compression_level must be in -131072..22");
  }
  if (options.zstd_dictionary_size != 0 &&
      (options.zstd_dictionary_size < 256 || options.zstd_dictionary_size > format::kMaxDictionarySize)) {
    throw Error(Errc::invalid_argument, path, Error::kNoOffset, "zstd_dictionary_size must be 0 or in 256..1 MiB");
  }
  if (!(options.cover_max_share > 0 && options.cover_max_share <= 1)) {
    throw Error(Errc::invalid_argument, path, Error::kNoOffset, "cover_max_share must be in (0, 1]");
  }
  for (const std::string& name : options.covered_indexes) {
    if (name.size() > format::kMaxIndexNameSize + 1 + format::kMaxIndexValueSize) {
      throw Error(Errc::invalid_argument, path, Error::kNoOffset, "covered index longer than an index name=value can be");
    }
  }
  timeline::mark("writer", "create");
  return Writer(std::make_unique<Impl>(path, options));
}

void Writer::add(const EventInput& e) {
  Impl& w = *impl_;
  if (w.finished) w.invalid("add after finish");
  if (e.key.empty()) w.invalid("empty key");
  if (e.key.size() > format::kMaxKeySize) w.invalid("key of " + std::to_string(e.key.size()) + " bytes exceeds 65535");
  if (e.group.size() > format::kMaxGroupSize) w.invalid("group exceeds 65535 bytes");
  if (e.data.size() > format::kMaxDataSize) w.invalid("data exceeds 2 GiB");
  if (e.indexes.size() > format::kMaxIndexesPerEvent) w.invalid("more than 65535 index entries");
  for (const IndexEntry& x : e.indexes) {
    if (x.name.size() > format::kMaxIndexNameSize || x.value.size() > format::kMaxIndexValueSize) {
      w.invalid("index name or value exceeds 65535 bytes");
    }
  }
  if (!w.options.sorted_input) {
    w.sorter.add(e);
    return;
  }
  w.check_order(e);
  w.emit(SortedEvent{e.key, e.group, e.timestamp, e.data, e.indexes});
}

FileStats Writer::finish() {
  Impl& w = *impl_;
  if (w.finished) w.invalid("finish called twice");
  w.finished = true;
  timeline::mark("writer", "finish");
  w.sorter.drain([&](const SortedEvent& e) { w.emit(e); }, [&] { return w.builder.help_compress(); });
  w.close_key();
  timeline::mark("writer", "finish: events drained");
  w.builder.flush();
  timeline::mark("writer", "finish: pipeline flushed");
  const FileTotals& totals = w.totals;
  const std::vector<HashedKey>& keys = w.keys;

  format::Footer footer;
  if (!w.builder.dictionary().empty()) {
    // After the key regions, before the key table: one raw block.
    footer.dictionary_offset = w.sink.offset();
    append_block(w.sink, w.builder.dictionary(), format::kRawBlock);
    w.sink.require_flags(format::kFlagCompactBlocks | format::kFlagZstdDictionary);
  }
  footer.key_table_offset = w.sink.offset();
  footer.key_count = keys.size();
  footer.bucket_count = bucket_count_for(keys.size());
  footer.hash_table_offset = write_key_tables(w.sink, keys, footer.bucket_count);
  footer.event_count = totals.events;
  footer.chunk_count = totals.chunks;
  footer.data_bytes = totals.data_bytes;
  footer.raw_chunk_bytes = totals.raw_chunk_bytes;
  footer.stored_chunk_bytes = totals.stored_chunk_bytes;
  footer.min_timestamp = totals.events ? totals.min_ts : 0;
  footer.max_timestamp = totals.events ? totals.max_ts : 0;
  footer.required_flags = w.sink.required_flags();
  footer.format_version = format::kFormatVersion;
  std::string tail;
  footer.encode(tail, w.sink.offset());
  w.sink.append(tail);
  if (w.sink.offset() > format::kMaxFileSize) w.invalid("file would exceed 2^48 bytes");
  uint64_t size = w.sink.offset();
  timeline::mark("writer", "finish: tables written, committing");
  w.sink.commit();
  timeline::mark("writer", "finish: committed");

  return detail::stats_from_footer(footer, size);
}

}  // namespace esdb
