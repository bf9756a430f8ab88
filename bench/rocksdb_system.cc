// RocksDB as an immutable per-key archive: the events sorted by
// (key, timestamp, sequence) into one SST with SstFileWriter (Snappy, 4 KiB
// blocks, a prefix Bloom filter on the key), read back with SstFileReader,
// prefix seek and reverse iteration. Block cache and readahead are the
// library defaults.
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>

#include <stdexcept>

#include "kv_walk.h"
#include "system.h"

namespace esdb::bench {
namespace {

void check(const rocksdb::Status& s, const char* what) {
  if (!s.ok()) throw std::runtime_error(std::string("rocksdb ") + what + ": " + s.ToString());
}

// The prefix of a kv_key is the key and its 0x00 terminator.
class KeyPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "esdb.bench.KeyPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& k) const override {
    const void* zero = std::memchr(k.data(), 0, k.size());
    return {k.data(), static_cast<size_t>(static_cast<const char*>(zero) - k.data()) + 1};
  }
  bool InDomain(const rocksdb::Slice& k) const override { return std::memchr(k.data(), 0, k.size()) != nullptr; }
};

rocksdb::Options options() {
  rocksdb::Options o;
  o.compression = rocksdb::kSnappyCompression;
  o.prefix_extractor = std::make_shared<KeyPrefix>();
  rocksdb::BlockBasedTableOptions t;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  t.whole_key_filtering = false;  // lookups are by prefix only
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return o;
}


class RocksSystem final : public System {
 public:
  std::string name() const override { return "rocksdb"; }

  void build(const Dataset& d, const std::string& path) override {
    const std::vector<uint32_t> order = sorted_by_key_time(d);
    rocksdb::SstFileWriter w(rocksdb::EnvOptions(), options());
    check(w.Open(path), "open");
    std::string k;
    for (uint32_t i : order) {
      const Dataset::Event& e = d.events()[i];
      kv_key(k, d.key(e), e.timestamp, i);
      const std::string_view v = d.data(e);
      check(w.Put(k, rocksdb::Slice(v.data(), v.size())), "put");
    }
    check(w.Finish(), "finish");
  }

  void open(const std::string& path) override {
    reader_ = std::make_unique<rocksdb::SstFileReader>(options());
    check(reader_->Open(path), "open");
  }
  void close() override { reader_.reset(); }

  bool history(std::string_view key, Sink& sink) override {
    const std::string lower = kv_lower(key);
    std::unique_ptr<rocksdb::Iterator> it(reader_->NewIterator(prefix_read()));
    it->Seek(lower);
    const bool found = kv_walk_forward(*it, lower, sink);
    check(it->status(), "iterate");
    return found;
  }

  bool index_scan(std::string_view key, std::string_view name, std::string_view value, uint64_t limit,
                  Sink& sink) override {
    return walk_back(key, kv_pattern(name, value), limit, sink);
  }

  // Reverse iteration from the key's last event; the empty pattern matches every record.
  bool newest(std::string_view key, uint64_t limit, Sink& sink) override { return walk_back(key, "", limit, sink); }

  bool walk_back(std::string_view key, std::string_view pattern, uint64_t limit, Sink& sink) {
    const std::string lower = kv_lower(key);
    std::unique_ptr<rocksdb::Iterator> it(reader_->NewIterator(prefix_read()));
    it->SeekForPrev(kv_upper(key));
    const bool found = kv_walk_back_matching(*it, lower, pattern, limit, sink);
    check(it->status(), "iterate");
    return found;
  }

  void full_scan(Sink& sink) override {
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    ro.fill_cache = false;  // a one-off scan should not evict the hot blocks
    std::unique_ptr<rocksdb::Iterator> it(reader_->NewIterator(ro));
    kv_walk_all(*it, sink);
    check(it->status(), "iterate");
  }

 private:
  static rocksdb::ReadOptions prefix_read() {
    rocksdb::ReadOptions ro;
    ro.prefix_same_as_start = true;
    return ro;
  }
  std::unique_ptr<rocksdb::SstFileReader> reader_;
};

}  // namespace

std::unique_ptr<System> make_rocksdb() { return std::make_unique<RocksSystem>(); }

}  // namespace esdb::bench
