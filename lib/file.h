// An esdb file opened for reading: its byte source, the parsed footer and
// the error helpers every reader-side structure uses. Immutable once opened.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "byte_source.h"
#include "codec.h"
#include "esdb/esdb.h"
#include "format/footer.h"
#include "format/format.h"

namespace esdb::detail {

struct File {
  std::string path;  // or URL
  std::shared_ptr<const ByteSource> source;
  // The whole file when it is in memory (mapped, or a small remote file read
  // whole on open); empty otherwise. Reads it covers never reach `source`,
  // so a local file reads exactly as a plain map does.
  Window all;
  // A remote file's tail, read with the footer on open and pinned: the hash
  // table and key table of a small file come along with it.
  Window tail;
  uint64_t size = 0;
  ReaderOptions options;
  format::Footer footer;
  FileStats stats;
  // The zstd dictionary every zstd frame is coded with (kFlagZstdDictionary),
  // digested once on open and shared, read-only, by every scan; else null.
  DecompressDictionary dictionary;

  // Index blocks have the covered-entries layout (SPEC.md).
  bool covers() const { return footer.required_flags & format::kFlagCoveredEntries; }

  [[noreturn]] void corrupt(uint64_t offset, const std::string& what) const {
    throw Error(Errc::corrupt, path, offset, what);
  }
  // Throws corrupt unless [offset, offset + n) lies inside [lo, hi).
  void check(uint64_t offset, uint64_t n, uint64_t lo, uint64_t hi, const char* what) const {
    if (offset < lo || offset > hi || n > hi - offset) {
      corrupt(offset, std::string(what) + " of " + std::to_string(n) + " bytes lies outside [" +
                          std::to_string(lo) + ", " + std::to_string(hi) + ")");
    }
  }
  // The bytes [offset, offset + n) from `w`; they must lie inside [lo, hi).
  std::string_view span(const Window& w, uint64_t offset, uint64_t n, uint64_t lo, uint64_t hi,
                        const char* what) const {
    check(offset, n, lo, hi, what);
    if (!w.covers(offset, n)) [[unlikely]] {
      throw Error(Errc::io, path, offset, std::string(what) + " lies outside the bytes fetched for it");
    }
    return std::string_view(w.at(offset), n);
  }
  // A Window covering [offset, offset + n); a remote source fetches
  // [fetch_lo, fetch_hi) when nothing it holds covers the range.
  Window read(uint64_t offset, uint64_t n, uint64_t fetch_lo, uint64_t fetch_hi) const {
    if (all.covers(offset, n)) [[likely]] return all;
    if (tail.covers(offset, n)) return tail;
    return source->read(offset, n, fetch_lo, fetch_hi);
  }
  Window read(uint64_t offset, uint64_t n) const { return read(offset, n, offset, offset + n); }
};

inline FileStats stats_from_footer(const format::Footer& f, uint64_t file_size) {
  FileStats s;
  s.format_version = f.format_version;
  s.file_size = file_size;
  s.key_count = f.key_count;
  s.event_count = f.event_count;
  s.chunk_count = f.chunk_count;
  s.data_bytes = f.data_bytes;
  s.raw_chunk_bytes = f.raw_chunk_bytes;
  s.stored_chunk_bytes = f.stored_chunk_bytes;
  s.min_timestamp = f.min_timestamp;
  s.max_timestamp = f.max_timestamp;
  s.covered_entries = f.required_flags & format::kFlagCoveredEntries;
  if (f.dictionary_offset) s.dictionary_bytes = f.key_table_offset - f.dictionary_offset - format::kBlockTrailerSize;
  return s;
}

}  // namespace esdb::detail
