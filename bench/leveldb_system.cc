// LevelDB as its users bulk-load it: WriteBatches of events in arrival order
// into a fresh database (64 MiB write buffer, Snappy, no sync), then
// CompactRange over everything so reads see a compacted tree. Same key
// scheme as RocksDB; reads by Seek / reverse iteration with default caches.
#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <stdexcept>

#include "kv_walk.h"
#include "system.h"

namespace esdb::bench {
namespace {

void check(const leveldb::Status& s, const char* what) {
  if (!s.ok()) throw std::runtime_error(std::string("leveldb ") + what + ": " + s.ToString());
}


class LevelSystem final : public System {
 public:
  std::string name() const override { return "leveldb"; }

  void build(const Dataset& d, const std::string& path) override {
    leveldb::Options o;
    o.create_if_missing = true;
    o.error_if_exists = true;
    o.write_buffer_size = 64u << 20;
    o.compression = leveldb::kSnappyCompression;
    leveldb::DB* raw = nullptr;
    check(leveldb::DB::Open(o, path, &raw), "open");
    std::unique_ptr<leveldb::DB> db(raw);
    leveldb::WriteBatch batch;
    std::string k;
    const auto& ev = d.events();
    for (size_t i = 0; i < ev.size(); ++i) {
      kv_key(k, d.key(ev[i]), ev[i].timestamp, i);
      const std::string_view v = d.data(ev[i]);
      batch.Put(k, leveldb::Slice(v.data(), v.size()));
      if (i % 1000 == 999) {
        check(db->Write(leveldb::WriteOptions(), &batch), "write");
        batch.Clear();
      }
    }
    check(db->Write(leveldb::WriteOptions(), &batch), "write");
    db->CompactRange(nullptr, nullptr);
  }

  void open(const std::string& path) override {
    leveldb::DB* raw = nullptr;
    check(leveldb::DB::Open(leveldb::Options(), path, &raw), "open");
    db_.reset(raw);
  }
  void close() override { db_.reset(); }

  bool history(std::string_view key, Sink& sink) override {
    const std::string lower = kv_lower(key);
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
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
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    // LevelDB has no SeekForPrev: seek past the key's last event, step back.
    it->Seek(kv_upper(key));
    if (it->Valid()) {
      it->Prev();
    } else {
      it->SeekToLast();
    }
    const bool found = kv_walk_back_matching(*it, lower, pattern, limit, sink);
    check(it->status(), "iterate");
    return found;
  }

  void full_scan(Sink& sink) override {
    leveldb::ReadOptions ro;
    ro.fill_cache = false;  // a one-off scan should not evict the hot blocks
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(ro));
    kv_walk_all(*it, sink);
    check(it->status(), "iterate");
  }

 private:
  std::unique_ptr<leveldb::DB> db_;
};

}  // namespace

std::unique_ptr<System> make_leveldb() { return std::make_unique<LevelSystem>(); }

}  // namespace esdb::bench
