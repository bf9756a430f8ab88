// esdb through its public API, as the README shows it.
#include <optional>

#include "system.h"

namespace esdb::bench {
namespace {

class EsdbSystem final : public System {
 public:
  EsdbSystem(const WriterOptions& options, std::string label) : options_(options), label_(std::move(label)) {
    options_.overwrite = true;
  }
  std::string name() const override { return label_; }

  void build(const Dataset& d, const std::string& path) override {
    Writer w = Writer::create(path, options_);
    EventInput in;
    for (const Dataset::Event& e : d.events()) {
      in.key = d.key(e);
      in.timestamp = e.timestamp;
      in.data = d.data(e);
      in.group = d.group(e);
      in.indexes.clear();
      for (uint32_t i = 0; i < e.index_count; ++i) {
        in.indexes.push_back({d.str(d.indexes(e)[i].name), d.str(d.indexes(e)[i].value)});
      }
      w.add(in);
    }
    w.finish();
  }

  void open(const std::string& path) override { reader_.emplace(Reader::open(path)); }
  void close() override { reader_.reset(); }

  bool history(std::string_view key, Sink& sink) override {
    const std::optional<Key> k = reader_->find(key);
    if (!k) return false;
    for (const Event& e : k->scan()) sink.event(e.timestamp, e.data);
    return true;
  }

  bool index_scan(std::string_view key, std::string_view name, std::string_view value, uint64_t limit,
                  Sink& sink) override {
    const std::optional<Key> k = reader_->find(key);
    if (!k) return false;
    uint64_t n = 0;
    for (const Event& e : k->scan({.index = IndexEntry{name, value}, .reverse = true})) {
      sink.event(e.timestamp, e.data);
      if (++n == limit) break;
    }
    return true;
  }

  bool newest(std::string_view key, uint64_t limit, Sink& sink) override {
    const std::optional<Key> k = reader_->find(key);
    if (!k) return false;
    uint64_t n = 0;
    for (const Event& e : k->scan({.reverse = true})) {
      sink.event(e.timestamp, e.data);
      if (++n == limit) break;
    }
    return true;
  }

  void full_scan(Sink& sink) override {
    for (const Key& k : reader_->keys()) {
      for (const Event& e : k.scan()) sink.event(e.timestamp, e.data);
    }
  }

 private:
  WriterOptions options_;
  std::string label_;
  std::optional<Reader> reader_;
};

}  // namespace

std::unique_ptr<System> make_esdb(const WriterOptions& options, std::string label) {
  return std::make_unique<EsdbSystem>(options, std::move(label));
}

}  // namespace esdb::bench
