// esdb: immutable per-key event archive files.
//
// The whole public API. A file is written once by a Writer and read by any
// number of threads through a Reader:
//
//   esdb::Writer w = esdb::Writer::create("activity.esdb");
//   w.add({.key = "customer-1", .timestamp = 1403534923, .data = R"({"total":42.99})",
//          .indexes = {{"type", "purchase"}}});
//   w.finish();
//
//   esdb::Reader r = esdb::Reader::open("activity.esdb");
//   if (auto k = r.find("customer-1"))
//     for (const esdb::Event& e : k->scan({.index = esdb::IndexEntry{"type", "purchase"},
//                                          .reverse = true}))
//       use(e.timestamp, e.data);
//
// Every failure is an esdb::Error (error.h) naming the file, the offset and
// what is wrong. The byte format is described in SPEC.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "esdb/error.h"

namespace esdb {

// One secondary-index entry of an event: the event is found by scanning
// (name, value). Names and values are arbitrary bytes; nothing is joined.
struct IndexEntry {
  std::string_view name;
  std::string_view value;
  friend bool operator==(const IndexEntry&, const IndexEntry&) = default;
};

// An event as given to Writer::add. The views need only live during the call.
struct EventInput {
  std::string_view key;           // 1..65535 bytes
  int64_t timestamp = 0;          // full signed 64-bit range
  std::string_view data;          // 0..kMaxDataSize bytes; empty is a normal event
  std::string_view group;         // empty = the key's default group
  std::vector<IndexEntry> indexes;
};

// An event as seen by a scan. The views stay valid until the iterator moves
// on (data may point into the mapped file or into the scan's buffer).
struct Event {
  std::string_view key;
  std::string_view group;
  int64_t timestamp = 0;
  std::string_view data;
  uint64_t ordinal = 0;               // position of the event within its key
  std::span<const IndexEntry> indexes; // filled only with ScanOptions::with_indexes
};

// How chunks and index blocks are compressed (SPEC.md, "Blocks").
enum class Compression : uint8_t { none, snappy, zstd };

struct WriterOptions {
  // Uncompressed bytes per chunk before it is cut (see BENCHMARKS.md).
  size_t chunk_size = 32 * 1024;
  bool compress = true;      // false: store everything raw, whatever `compression` says
  // Each block is kept compressed only where it saves >= 1/8. zstd (and
  // sub_block_size below) set a required flag: version 1 readers refuse the
  // file as unsupported.
  Compression compression = Compression::snappy;
  // zstd only (1..19; negative: faster). 7, not zstd's own 3: on small
  // records it makes the file 0.57x the Snappy file instead of 0.64x, for
  // ~3x the compression CPU and the same decompression (BENCHMARKS.md).
  int compression_level = 7;
  // zstd only: train a dictionary of up to this many bytes (256..1 MiB) on
  // the file's first ~2 MiB of chunk payloads and code every zstd frame with
  // it, if that makes those payloads at least 1/32 smaller (the dictionary
  // counted). Pays where chunks are small (many keys of a few events: the
  // bench file is 0.77x the plain zstd one, 0.55x Snappy's, and reads take
  // 0.66x plain zstd's instructions); a file under ~8x this size never gets
  // one. Sets a second required flag (SPEC.md, "zstd dictionary"). 0: never.
  size_t zstd_dictionary_size = 16 * 1024;
  // Chunks larger than this are stored as independently compressed
  // sub-blocks of about this many bytes, so a reverse scan or an index hit
  // decodes one sub-block instead of the whole chunk (newest-10 ~3.6x
  // faster at 4096), at a cost in size (+5..10% with Snappy on small
  // records; BENCHMARKS.md). 0 (default): whole chunks, the version 1
  // layout. A chunk that fits in one sub-block is always stored whole.
  size_t sub_block_size = 0;
  // With sub_block_size: split only each group's newest chunk (the one a
  // newest-first scan of a key reads first), and only one of at least 4 x
  // sub_block_size bytes, in two: its newest sub_block_size bytes of events
  // and the rest; older chunks stay whole. Newest-N reads of large keys gain
  // most of the sub-blocks' speed for ~1% of size (SPEC.md, BENCHMARKS.md
  // "Reads at the limit").
  bool tail_sub_blocks = false;
  // Index entries that get a covering copy of their events beside their
  // posting list, so an index scan of one (the newest purchases) decodes only
  // its own events, not every chunk holding one (BENCHMARKS.md, "Covered
  // index entries"). "name=value" covers that entry in every key; a bare
  // "name" covers each of its values that carries at most cover_max_share
  // of a key's events. Sets a required flag (SPEC.md, "Covered index
  // entries"); costs about the covered events' share of the file.
  std::vector<std::string> covered_indexes;
  double cover_max_share = 0.125;
  bool overwrite = false;    // replace an existing file at the path
  // Events are buffered up to this many bytes, then spilled as sorted runs
  // to temporary files beside the output and merged by finish().
  size_t memory_budget = 64u << 20;
  bool sync = true;          // fsync the file and its directory on finish()
  // The caller adds events already in file order: keys ascending (byte-wise),
  // then (group, timestamp). They stream straight to the file with no sort
  // buffer; an event out of order is an invalid_argument error.
  bool sorted_input = false;
  // Threads compressing chunks beside the adding thread; -1: one per core
  // beyond the first. Unless 0 (or -1 on one core), a second thread also
  // sorts and spills a full buffer while add() fills another (the two share
  // memory_budget). The file's bytes do not depend on it.
  int compression_threads = -1;
  // An s3:// destination (esdb/remote.h) is built into a local temporary
  // file (in $TMPDIR) and uploaded by finish(): one PUT up to this many
  // bytes, else a multipart upload of parts this size (S3 wants >= 5 MiB),
  // aborted on any failure, so the object appears only whole.
  size_t s3_part_size = 16u << 20;
};

// Sets options.compression (and, for zstd, compression_level) from a name:
// "snappy", "none", "zstd" (level 7) or "zstd:LEVEL" (-7..22). Returns false
// and changes nothing for any other text. `esdb build/merge --compression`
// and Python's `compression=` take these names.
bool set_compression(WriterOptions& options, std::string_view name);

// What a finished file holds.
struct FileStats {
  uint32_t format_version = 0;
  uint64_t file_size = 0;
  uint64_t key_count = 0;
  uint64_t event_count = 0;
  uint64_t chunk_count = 0;
  uint64_t data_bytes = 0;    // sum of the events' data sizes
  uint64_t raw_chunk_bytes = 0;    // chunk payloads before compression
  uint64_t stored_chunk_bytes = 0; // chunk payloads as stored
  int64_t min_timestamp = 0;  // meaningless when event_count == 0
  int64_t max_timestamp = 0;
  uint64_t dictionary_bytes = 0;   // the zstd dictionary's payload, 0 if none
  bool covered_entries = false;    // written with covered_indexes (index scans may read copies)
};

class Writer {
 public:
  // Opens a temporary file beside `path`; nothing appears at `path` until
  // finish(). Fails if `path` exists and !options.overwrite.
  static Writer create(const std::string& path, const WriterOptions& options = {});

  Writer(Writer&&) noexcept;
  Writer& operator=(Writer&&) noexcept;
  ~Writer();  // without finish(): removes every temporary file

  // Keys may arrive in any order, interleaved. Within a key, events are
  // stored by (group, timestamp, order of add).
  void add(const EventInput& event);
  // Writes, fsyncs and renames the file into place. The writer is done after.
  FileStats finish();

 private:
  struct Impl;
  explicit Writer(std::unique_ptr<Impl>);
  std::unique_ptr<Impl> impl_;
};

inline constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max();

struct ScanOptions {
  std::optional<std::string_view> group;   // only this group
  std::optional<IndexEntry> index;         // only events carrying this entry
  int64_t from = kMinTime;                 // timestamps in [from, to)
  std::optional<int64_t> to;               // unset = no upper bound
  bool reverse = false;                    // newest (last) first
  bool with_indexes = false;               // fill Event::indexes
};

// How a Reader fetches a file it reads over http://, https:// or s3://
// (a local file is mapped and ignores these). SPEC.md "Remote reads" says
// which bytes a lookup fetches.
struct ReaderOptions {
  uint64_t cache_bytes = uint64_t{64} << 20;      // fetched ranges kept, least recently used out
  uint64_t tail_bytes = uint64_t{64} << 10;       // read with the footer on open (a smaller file: whole)
  uint64_t lookback_bytes = uint64_t{256} << 10;  // read before a found key dir: its chunks come along
  uint64_t dir_bytes = uint64_t{4} << 10;         // read from a key dir on (a longer one costs a request)
  int attempts = 4;                               // tries per request (timeouts, resets, 5xx, 429)
  uint64_t timeout_ms = 30000;                    // per try
  uint64_t connect_timeout_ms = 5000;
  // https: PEM certificates to verify servers with; "" = the file
  // $AWS_CA_BUNDLE names, else the system's store. Always verified.
  std::string ca_file;
};

// What a remote Reader has sent (tries included) and received.
struct TransferStats {
  uint64_t requests = 0;
  uint64_t bytes = 0;
};

class Reader;
namespace detail {
struct File;
struct KeyDir;
class EventSource;
// Checks an opened file's footer and section bounds; the Reader over it.
Reader make_reader(std::shared_ptr<File> file);
}  // namespace detail
class Scan;
namespace detail {
// A Scan over any EventSource (the ingest log's scans, log.h).
Scan make_scan(std::unique_ptr<EventSource> source);

// One event of a decoded chunk: its data lies at `offset` in the payload.
struct DecodedEvent {
  int64_t ts;
  uint32_t offset;
  uint32_t size;
};
// Events a source has already decoded and checked, which Scan::next hands
// out inline: a full scan of small records would otherwise spend a fifth of
// its time on two calls per event into the library (BENCHMARKS.md, #16).
// The source owns it (a stable address while the Scan moves) and refills it
// whenever `left` runs out.
struct ScanRun {
  const DecodedEvent* at = nullptr;  // the event handed out last
  const char* payload = nullptr;
  uint64_t left = 0;                 // events after `at`, `step` apart
  std::ptrdiff_t step = 1;
  Event* event = nullptr;            // what next() writes: the source's event
  const Event* current = nullptr;    // what event() returns
};
}  // namespace detail

// A forward range of events; iterate it once with range-for or next().
class Scan {
 public:
  Scan(Scan&&) noexcept;
  Scan& operator=(Scan&&) noexcept;
  ~Scan();

  // Moves to the next event; false at the end. Throws Error on corruption.
  bool next() {
    detail::ScanRun& r = *run_;
    if (r.left == 0) return next_source();
    r.left--;
    r.at += r.step;
    r.event->timestamp = r.at->ts;
    r.event->data = {r.payload + r.at->offset, r.at->size};
    r.event->ordinal += static_cast<uint64_t>(r.step);
    return true;
  }
  const Event& event() const { return *run_->current; }

  struct End {};
  class iterator {
   public:
    using value_type = Event;
    using difference_type = std::ptrdiff_t;
    const Event& operator*() const { return scan_->event(); }
    const Event* operator->() const { return &scan_->event(); }
    iterator& operator++() { if (!scan_->next()) scan_ = nullptr; return *this; }
    void operator++(int) { ++*this; }
    bool operator==(End) const { return scan_ == nullptr; }
   private:
    friend class Scan;
    explicit iterator(Scan* s) : scan_(s) {}
    Scan* scan_;
  };
  iterator begin() { return iterator(next() ? this : nullptr); }
  End end() { return {}; }

 private:
  friend class Key;
  friend class MultiKey;
  friend Scan detail::make_scan(std::unique_ptr<detail::EventSource>);
  explicit Scan(std::unique_ptr<detail::EventSource>);
  bool next_source();
  std::unique_ptr<detail::EventSource> state_;
  detail::ScanRun* run_;  // state_'s
};

struct IndexValue {
  std::string name;
  std::string value;
  uint64_t count = 0;  // events of the key carrying it
};

struct GroupInfo {
  std::string_view name;
  uint64_t event_count = 0;
  int64_t min_timestamp = 0;
  int64_t max_timestamp = 0;
};

// One key of a file. Cheap to copy; keeps the file mapped while it lives.
class Key {
 public:
  std::string_view name() const;
  uint64_t event_count() const;
  int64_t min_timestamp() const;
  int64_t max_timestamp() const;
  // Groups in stored order; an ungrouped key has one group named "".
  std::vector<GroupInfo> groups() const;
  // Every (name, value) of the key, sorted by name then value.
  std::vector<IndexValue> index_values() const;
  Scan scan(const ScanOptions& options = {}) const;

 private:
  friend class Reader;
  friend class KeyRange;
  explicit Key(std::shared_ptr<const detail::KeyDir>);
  std::shared_ptr<const detail::KeyDir> dir_;
};

// All keys of a file in stored (byte-wise sorted) order.
class KeyRange {
 public:
  struct End {};
  class iterator {
   public:
    const Key& operator*() const { return *current_; }
    const Key* operator->() const { return &*current_; }
    iterator& operator++();
    bool operator==(End) const { return !current_.has_value(); }
   private:
    friend class KeyRange;
    iterator(std::shared_ptr<const detail::File> f, uint64_t i);
    std::shared_ptr<const detail::File> file_;
    uint64_t index_;  // of the next key to load
    const char* page_ = nullptr;  // the checked key table page in use
    std::shared_ptr<const void> page_keep_;  // a remote file's fetched page
    uint64_t page_number_ = 0;
    uint64_t page_count_ = 0;
    std::optional<Key> current_;
  };
  iterator begin() const { return iterator(file_, 0); }
  End end() const { return {}; }
  uint64_t size() const;

 private:
  friend class Reader;
  explicit KeyRange(std::shared_ptr<const detail::File> f) : file_(std::move(f)) {}
  std::shared_ptr<const detail::File> file_;
};

// One problem found by Reader::verify().
struct Problem {
  uint64_t offset = 0;
  std::string what;
};

// A file opened for reading. Immutable after open(); every method may be
// called from many threads at once, and scans share no mutable state.
class Reader {
 public:
  // Maps the file and validates the footer and section bounds. A path that
  // is an http://, https:// or s3:// URL is read in ranges instead
  // (options says how); every byte is checksummed as for a local file.
  static Reader open(const std::string& path);
  static Reader open(const std::string& path, const ReaderOptions& options);

  const std::string& path() const;
  const FileStats& stats() const;
  // One hash probe; nullopt when the key is not in the file.
  std::optional<Key> find(std::string_view key) const;
  KeyRange keys() const;
  // Checks every checksum and structural invariant of the whole file;
  // returns the problems found (empty = the file is sound).
  std::vector<Problem> verify() const;
  // Requests and bytes fetched so far (zeros for a local file).
  TransferStats transfer_stats() const;

 private:
  friend Reader detail::make_reader(std::shared_ptr<detail::File>);
  explicit Reader(std::shared_ptr<const detail::File>);
  std::shared_ptr<const detail::File> file_;
};

// One key across several files: the parts in the order the files were given.
class MultiKey {
 public:
  struct Part {
    size_t file;  // index into MultiReader::readers()
    Key key;
  };
  std::string_view name() const { return parts_.front().key.name(); }
  uint64_t event_count() const;
  const std::vector<Part>& parts() const { return parts_; }
  // The parts' scans merged lazily by (group, timestamp); equal timestamps
  // keep the order of the files (reversed by a reverse scan).
  Scan scan(const ScanOptions& options = {}) const;

 private:
  friend class MultiReader;
  friend class MultiKeyRange;
  explicit MultiKey(std::vector<Part> parts) : parts_(std::move(parts)) {}
  std::vector<Part> parts_;
};

// Every key of several files once, in byte-wise order.
class MultiKeyRange {
 public:
  struct End {};
  class iterator {
   public:
    const MultiKey& operator*() const { return *current_; }
    const MultiKey* operator->() const { return &*current_; }
    iterator& operator++();
    bool operator==(End) const { return !current_.has_value(); }

   private:
    friend class MultiKeyRange;
    explicit iterator(const std::vector<Reader>& readers);
    std::vector<KeyRange::iterator> its_;
    std::optional<MultiKey> current_;
  };
  iterator begin() const { return iterator(*readers_); }
  End end() const { return {}; }

 private:
  friend class MultiReader;
  explicit MultiKeyRange(const std::vector<Reader>* readers) : readers_(readers) {}
  const std::vector<Reader>* readers_;
};

// Several files read as one, e.g. one file per hour or day.
class MultiReader {
 public:
  // Remote files are opened concurrently, and find() then probes them
  // concurrently (a few threads), so a lookup costs one round trip per step
  // rather than one per file.
  static MultiReader open(const std::vector<std::string>& paths);
  static MultiReader open(const std::vector<std::string>& paths, const ReaderOptions& options);
  explicit MultiReader(std::vector<Reader> readers);
  // The files of a partitioned archive in manifest order (archive.h): find()
  // probes only the key's own file. open({dir}) of an archive makes one.
  static MultiReader partitioned(std::vector<Reader> readers);
  const std::vector<Reader>& readers() const { return readers_; }
  // One hash probe per file; nullopt when no file holds the key.
  std::optional<MultiKey> find(std::string_view key) const;
  MultiKeyRange keys() const { return MultiKeyRange(&readers_); }

 private:
  std::vector<Reader> readers_;
  bool remote_ = false;       // some reader fetches over the network: probe concurrently
  bool partitioned_ = false;  // readers_[partition_of(key, size)] alone may hold a key
};

struct MergeOptions {
  // Drop an event identical in key, group, timestamp and data to one already
  // kept (its index entries are dropped with it). The distinct data of one
  // (key, group, timestamp) is held to compare against: more than the
  // WriterOptions::memory_budget of it is an invalid_argument error.
  bool dedupe = false;
  // Called every few thousand events (and once at the end) with the events
  // written and their data bytes so far, on the merging thread.
  std::function<void(uint64_t events, uint64_t data_bytes)> progress;
};

// Streams every event of `inputs` into a new file at `output`, with memory
// bounded independently of the inputs' sizes (WriterOptions::memory_budget
// bounds only what dedupe holds; there is no sort buffer).
FileStats merge(const std::vector<std::string>& inputs, const std::string& output,
                const WriterOptions& options = {}, const MergeOptions& merge_options = {});

// ---- Importing files of the original Go ESDB (customerio/esdb v1.0.x) ----

// What a Go ESDB file holds (counts cover the sound spaces only).
struct GoFileReport {
  std::string path;
  uint64_t file_size = 0;
  uint64_t spaces = 0;          // keys
  uint64_t events = 0;
  uint64_t groupings = 0;       // (key, grouping) pairs
  uint64_t index_sections = 0;  // (key, index name, value) triples
  uint64_t index_entries = 0;
  uint64_t data_bytes = 0;
  uint64_t damaged_spaces = 0;
  // Damage found: an unreadable file index (then nothing else is known) or
  // one problem per damaged space. Empty = every checksum and bound holds.
  std::vector<Problem> problems;
};

// Reads a Go ESDB file as import_goesdb would, without writing anything.
// Throws only when the file cannot be opened.
GoFileReport inspect_goesdb(const std::string& path);

// Writes every event of the Go ESDB `inputs` into a new file at `output`:
// key = space id, group = grouping, timestamp = Go's unsigned 32-bit seconds,
// index entries (name, value) from the index sections (split at the first
// ':'). Within a (key, group), events come oldest first; equal timestamps in
// the reverse of Go's stored order (which is the order they were added to the
// Go writer), later inputs after earlier ones. Any damage is an Error naming
// the input and offset, and nothing appears at `output`.
FileStats import_goesdb(const std::vector<std::string>& inputs, const std::string& output,
                        const WriterOptions& options = {});

}  // namespace esdb
