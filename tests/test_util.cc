#include "test_util.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "format/coding.h"
#include "format/format.h"

namespace esdb::test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "esdb-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

EventInput ModelEvent::input() const {
  EventInput in{key, timestamp, data, group, {}};
  for (const auto& [n, v] : indexes) in.indexes.push_back({n, v});
  return in;
}

void Model::add(ModelEvent e) {
  e.seq = seq_++;
  all_.push_back(e);
  // After every event of equal (group, timestamp): what a stable sort of the
  // key's events in add order gives, without re-sorting them on every add
  // (quadratic for a big key; it took half a minute per test under ASan).
  auto& v = keys_[e.key];
  auto at = std::upper_bound(v.begin(), v.end(), e, [](const ModelEvent& a, const ModelEvent& b) {
    return a.group != b.group ? a.group < b.group : a.timestamp < b.timestamp;
  });
  v.insert(at, std::move(e));
}

std::vector<const ModelEvent*> Model::expect(const std::string& key, const ScanOptions& o) const {
  std::vector<const ModelEvent*> out;
  auto it = keys_.find(key);
  if (it == keys_.end()) return out;
  for (const ModelEvent& e : it->second) {
    if (o.group && e.group != *o.group) continue;
    if (e.timestamp < o.from || (o.to && e.timestamp >= *o.to)) continue;
    if (o.index) {
      bool has = false;
      for (const auto& [n, v] : e.indexes) has |= n == o.index->name && v == o.index->value;
      if (!has) continue;
    }
    out.push_back(&e);
  }
  if (o.reverse) std::reverse(out.begin(), out.end());
  return out;
}

std::vector<Got> collect(Scan scan) {
  std::vector<Got> out;
  for (const Event& e : scan) {
    Got g{std::string(e.group), e.timestamp, std::string(e.data), {}};
    for (const IndexEntry& x : e.indexes) g.indexes.emplace_back(x.name, x.value);
    out.push_back(std::move(g));
  }
  return out;
}

std::vector<Got> to_got(const std::vector<const ModelEvent*>& events, bool with_indexes) {
  std::vector<Got> out;
  for (const ModelEvent* e : events) {
    Got g{e->group, e->timestamp, e->data, {}};
    if (with_indexes) {
      g.indexes = e->indexes;
      std::sort(g.indexes.begin(), g.indexes.end());
      g.indexes.erase(std::unique(g.indexes.begin(), g.indexes.end()), g.indexes.end());
    }
    out.push_back(std::move(g));
  }
  return out;
}

FileStats write_model(const Model& m, const std::string& path, WriterOptions o) {
  Writer w = Writer::create(path, o);
  for (const ModelEvent& e : m.in_order()) w.add(e.input());
  return w.finish();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

uint32_t required_flags(const std::string& file_bytes) {
  return format::load_fixed32(file_bytes.data() + file_bytes.size() - format::kFooterSize + 88);
}

}  // namespace esdb::test
