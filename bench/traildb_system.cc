// TrailDB the way its users build per-user trails: tdb_cons with the key
// hashed to the 16-byte UUID (XXH3-128), one field per index name (its first
// value for the event) plus a "data" field holding the stored record, packed
// into one .tdb file. Reads use one reused trail cursor; the index scan is an
// event filter on the field's item, reversed by the caller since trails only
// run forward.
// traildb.h has no extern "C" guard of its own.
extern "C" {
#include <traildb.h>
}
#include <xxhash.h>

#include <cctype>

#include <cstring>
#include <stdexcept>
#include <vector>

#include "system.h"

namespace esdb::bench {
namespace {

void check(tdb_error e, const char* what) {
  if (e != TDB_ERR_OK) throw std::runtime_error(std::string("traildb ") + what + ": " + tdb_error_str(e));
}

void uuid_of(std::string_view key, uint8_t out[16]) {
  const XXH128_hash_t h = XXH3_128bits(key.data(), key.size());
  std::memcpy(out, &h.low64, 8);
  std::memcpy(out + 8, &h.high64, 8);
}

// TrailDB field names allow [A-Za-z0-9_%-].
std::string field_name(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '%') c = '_';
  }
  return out;
}

class TrailSystem final : public System {
 public:
  std::string name() const override { return "traildb"; }
  std::string output(const std::string& path) const override { return path + ".tdb"; }

  void build(const Dataset& d, const std::string& path) override {
    std::vector<std::string> names;
    for (uint32_t n : d.index_names()) names.push_back(field_name(d.str(n)));
    names.push_back("data");
    std::vector<const char*> cnames;
    for (const std::string& n : names) cnames.push_back(n.c_str());
    tdb_cons* cons = tdb_cons_init();
    check(tdb_cons_open(cons, path.c_str(), cnames.data(), cnames.size()), "cons_open");
    const size_t fields = names.size();
    std::vector<const char*> values(fields);
    std::vector<uint64_t> lengths(fields);
    uint8_t uuid[16];
    try {
      for (const Dataset::Event& e : d.events()) {
        if (e.timestamp < 0) throw std::runtime_error("traildb: negative timestamps are not supported");
        std::fill(lengths.begin(), lengths.end(), 0);
        for (size_t f = 0; f + 1 < fields; ++f) values[f] = "";
        for (uint32_t i = 0; i < e.index_count; ++i) {
          const Dataset::IndexRef& ref = d.indexes(e)[i];
          for (size_t f = 0; f + 1 < fields; ++f) {
            if (d.index_names()[f] == ref.name && lengths[f] == 0) {
              values[f] = d.str(ref.value).data();
              lengths[f] = d.str(ref.value).size();
            }
          }
        }
        values[fields - 1] = d.data(e).data();
        lengths[fields - 1] = d.data(e).size();
        uuid_of(d.key(e), uuid);
        check(tdb_cons_add(cons, uuid, static_cast<uint64_t>(e.timestamp), values.data(), lengths.data()), "add");
      }
      check(tdb_cons_finalize(cons), "finalize");
    } catch (...) {
      tdb_cons_close(cons);
      throw;
    }
    tdb_cons_close(cons);
  }

  void open(const std::string& path) override {
    db_ = tdb_init();
    check(tdb_open(db_, path.c_str()), "open");
    cursor_ = tdb_cursor_new(db_);
    data_field_ = static_cast<size_t>(tdb_num_fields(db_)) - 2;  // items[i] is field i + 1; field 0 is time
  }
  void close() override {
    if (cursor_ != nullptr) tdb_cursor_free(cursor_);
    if (db_ != nullptr) tdb_close(db_);
    cursor_ = nullptr;
    db_ = nullptr;
  }
  ~TrailSystem() override { close(); }

  bool history(std::string_view key, Sink& sink) override {
    if (!seek(key)) return false;
    while (const tdb_event* e = tdb_cursor_next(cursor_)) sink.event(static_cast<int64_t>(e->timestamp), data(e));
    return true;
  }

  bool index_scan(std::string_view key, std::string_view name, std::string_view value, uint64_t limit,
                  Sink& sink) override {
    uint8_t uuid[16];
    uuid_of(key, uuid);
    uint64_t trail = 0;
    if (tdb_get_trail_id(db_, uuid, &trail) != TDB_ERR_OK) return false;
    tdb_field field = 0;
    check(tdb_get_field(db_, field_name(name).c_str(), &field), "get_field");
    const tdb_item item = tdb_get_item(db_, field, value.data(), value.size());
    if (item == 0) return true;  // no event of the file carries the value
    struct tdb_event_filter* filter = tdb_event_filter_new();
    check(tdb_event_filter_add_term(filter, item, 0), "filter");
    check(tdb_cursor_set_event_filter(cursor_, filter), "set_filter");
    check(tdb_get_trail(cursor_, trail), "get_trail");
    matches_.clear();
    while (const tdb_event* e = tdb_cursor_next(cursor_)) matches_.push_back({e->timestamp, data(e)});
    tdb_cursor_unset_event_filter(cursor_);
    tdb_event_filter_free(filter);
    uint64_t n = 0;
    for (auto it = matches_.rbegin(); it != matches_.rend() && n < limit; ++it, ++n) {
      sink.event(static_cast<int64_t>(it->first), it->second);
    }
    return true;
  }

  // Trails only run forward: the whole trail is walked, keeping its last
  // `limit` events in a ring, which is what a TrailDB user does.
  bool newest(std::string_view key, uint64_t limit, Sink& sink) override {
    if (!seek(key)) return false;
    if (limit == 0) return true;
    matches_.clear();
    uint64_t seen = 0;
    while (const tdb_event* e = tdb_cursor_next(cursor_)) {
      if (matches_.size() < limit) {
        matches_.push_back({e->timestamp, data(e)});
      } else {
        matches_[seen % limit] = {e->timestamp, data(e)};
      }
      ++seen;
    }
    for (uint64_t i = 0; i < matches_.size(); ++i) {
      const auto& m = matches_[(seen - 1 - i) % matches_.size()];
      sink.event(static_cast<int64_t>(m.first), m.second);
    }
    return true;
  }

  void full_scan(Sink& sink) override {
    const uint64_t trails = tdb_num_trails(db_);
    for (uint64_t t = 0; t < trails; ++t) {
      check(tdb_get_trail(cursor_, t), "get_trail");
      while (const tdb_event* e = tdb_cursor_next(cursor_)) sink.event(static_cast<int64_t>(e->timestamp), data(e));
    }
  }

 private:
  bool seek(std::string_view key) {
    uint8_t uuid[16];
    uuid_of(key, uuid);
    uint64_t trail = 0;
    if (tdb_get_trail_id(db_, uuid, &trail) != TDB_ERR_OK) return false;
    check(tdb_get_trail(cursor_, trail), "get_trail");
    return true;
  }
  std::string_view data(const tdb_event* e) const {
    uint64_t len = 0;
    const char* p = tdb_get_item_value(db_, e->items[data_field_], &len);
    return {p, static_cast<size_t>(len)};
  }

  tdb* db_ = nullptr;
  tdb_cursor* cursor_ = nullptr;
  size_t data_field_ = 0;
  std::vector<std::pair<uint64_t, std::string_view>> matches_;
};

}  // namespace

std::unique_ptr<System> make_traildb() { return std::make_unique<TrailSystem>(); }

}  // namespace esdb::bench
