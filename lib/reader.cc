// Reader: maps the file, checks the footer and the section bounds once, and
// finds keys through the hash table. Everything after open() is read-only.

#include <cstring>

#include "block.h"
#include "esdb/esdb.h"
#include "file.h"
#include "format/checksum.h"
#include "format/coding.h"
#include "format/format.h"
#include "hash_table.h"
#include "key_dir.h"
#include "mapped_source.h"
#include "remote/s3_url.h"
#include "remote_source.h"

namespace esdb {

using detail::File;
using detail::KeyDir;
using detail::Window;

Reader::Reader(std::shared_ptr<const File> f) : file_(std::move(f)) {}

Reader Reader::open(const std::string& path) { return open(path, ReaderOptions{}); }

Reader Reader::open(const std::string& path, const ReaderOptions& options) {
  auto f = remote::is_remote_url(path) ? detail::open_remote_file(path, options) : detail::open_mapped_file(path);
  f->options = options;
  return detail::make_reader(std::move(f));
}

// The zstd dictionary block ends exactly at the key table (so the sections
// still tile the file); its size is checked before anything is read or
// allocated for it, and zstd digests it once for every scan of the file.
static void load_dictionary(File& f, uint64_t footer_offset) {
  const format::Footer& h = f.footer;
  const uint64_t at = h.dictionary_offset, end = h.key_table_offset;
  if (at < format::kHeaderSize || at >= end || end - at <= format::kBlockTrailerSize ||
      end - at > format::kMaxDictionarySize + format::kBlockTrailerSize) {
    f.corrupt(footer_offset, "zstd dictionary at " + std::to_string(at) + " does not end at the key table (" +
                                 std::to_string(end) + ") within " + std::to_string(format::kMaxDictionarySize) + " bytes");
  }
  const Window w = f.read(at, end - at);
  std::string_view payload = read_raw_block(f, w, at, end - at, at, end, "zstd dictionary");
  f.dictionary = load_decompress_dictionary(payload);
  if (!f.dictionary) f.corrupt(at, "zstd dictionary: not a dictionary zstd accepts");
}

Reader detail::make_reader(std::shared_ptr<File> f) {
  const std::string& path = f->path;
  const uint64_t size = f->size;
  const uint64_t min_size = format::kHeaderSize + format::kFooterSize;
  if (size < min_size) {
    throw Error(Errc::corrupt, path, 0,
                "file is " + std::to_string(size) + " bytes, shorter than the smallest esdb file (" +
                    std::to_string(min_size) + ")");
  }
  // A remote file larger than the tail read on open is identified by its
  // footer (magic, checksum, sections tiling the file), not its header: a
  // lookup reads no byte it does not need.
  const Window head = f->all.covers(0, format::kHeaderSize) ? f->all : f->tail;
  if (head.covers(0, format::kHeaderSize) && std::memcmp(head.at(0), format::kHeaderMagic, format::kHeaderSize) != 0) {
    f->corrupt(0, "bad header magic (not an esdb file?)");
  }
  const uint64_t footer_offset = size - format::kFooterSize;
  const Window tail = f->read(footer_offset, format::kFooterSize);
  std::string problem = f->footer.decode({tail.at(footer_offset), format::kFooterSize}, footer_offset);
  if (!problem.empty()) {
    Errc code = problem.find("not supported") != std::string::npos || problem.find("unknown required") != std::string::npos
                    ? Errc::unsupported : Errc::corrupt;
    throw Error(code, path, footer_offset, problem);
  }

  // The sections must tile the file exactly; checking it here (before any
  // count sizes anything) keeps a hostile footer from reaching past the end.
  const format::Footer& h = f->footer;
  if (h.key_count > size / 8 || h.bucket_count > size / format::kBucketSize ||
      h.key_table_offset < format::kHeaderSize || h.key_table_offset > footer_offset ||
      h.key_table_offset + key_table_size(h.key_count) != h.hash_table_offset ||
      h.hash_table_offset > footer_offset ||
      footer_offset - h.hash_table_offset != h.bucket_count * format::kBucketSize ||
      h.bucket_count * format::kSlotsPerBucket < h.key_count || (h.key_count > 0) != (h.bucket_count > 0) ||
      h.event_count < h.key_count || h.chunk_count < h.key_count || h.chunk_count > h.event_count ||
      (h.key_count == 0 && h.regions_end() != format::kHeaderSize)) {
    f->corrupt(footer_offset, "footer section offsets and counts do not fit the file");
  }
  if (h.required_flags & format::kFlagZstdDictionary) load_dictionary(*f, footer_offset);
  f->stats = detail::stats_from_footer(h, size);
  return Reader(std::move(f));
}

TransferStats Reader::transfer_stats() const { return file_->source->transfer_stats(); }

const std::string& Reader::path() const { return file_->path; }
const FileStats& Reader::stats() const { return file_->stats; }

std::optional<Key> Reader::find(std::string_view key) const {
  const File& f = *file_;
  const uint64_t buckets = f.footer.bucket_count;
  if (buckets == 0 || key.empty() || key.size() > format::kMaxKeySize) return std::nullopt;
  const uint64_t hash = format::key_hash(key);
  uint64_t b = format::bucket_of(hash, buckets);
  for (uint64_t probes = 0; probes < buckets; probes++) {
    Bucket bucket = read_bucket(f, b);
    for (unsigned s = 0; s < bucket.used; s++) {
      if (bucket.hash[s] != hash) continue;
      auto dir = KeyDir::parse(file_, bucket.dir_offset[s], f.options.lookback_bytes);
      if (dir->key == key) return Key(std::move(dir));
    }
    if (bucket.used < format::kSlotsPerBucket) return std::nullopt;
    b = b + 1 == buckets ? 0 : b + 1;
  }
  return std::nullopt;
}

// A walk over the keys of a remote file fetches the dirs in stored order a
// megabyte at a time rather than one request per key.
static constexpr uint64_t kWalkFetch = uint64_t{1} << 20;

KeyRange Reader::keys() const { return KeyRange(file_); }

uint64_t KeyRange::size() const { return file_->footer.key_count; }

KeyRange::iterator::iterator(std::shared_ptr<const File> f, uint64_t i) : file_(std::move(f)), index_(i) {
  ++*this;
}

KeyRange::iterator& KeyRange::iterator::operator++() {
  if (index_ >= file_->footer.key_count) {
    current_.reset();
    return *this;
  }
  uint64_t page = index_ / format::kKeyTablePageKeys;
  if (page_ == nullptr || page != page_number_) {
    detail::Window hold;
    page_ = key_table_page(*file_, page, page_count_, hold, kWalkFetch);
    page_keep_ = std::move(hold.keep);
    page_number_ = page;
  }
  uint64_t offset = format::load_fixed64(page_ + (index_ % format::kKeyTablePageKeys) * 8);
  current_.emplace(Key(KeyDir::parse(file_, offset, 0, kWalkFetch)));
  index_++;
  return *this;
}

}  // namespace esdb
