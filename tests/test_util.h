// Shared test helpers: temporary directories and an independent model of
// what a file must return (events sorted by the test, not by the library).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "esdb/esdb.h"

namespace esdb::test {

// A fresh directory, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

struct ModelEvent {
  std::string key;
  int64_t timestamp = 0;
  std::string data;
  std::string group;
  std::vector<std::pair<std::string, std::string>> indexes;
  uint64_t seq = 0;  // order of add

  EventInput input() const;
};

// The model: events grouped by key and stably sorted by (group, timestamp).
class Model {
 public:
  void add(ModelEvent e);
  const std::map<std::string, std::vector<ModelEvent>>& keys() const { return keys_; }
  std::vector<const ModelEvent*> expect(const std::string& key, const ScanOptions& o) const;
  const std::vector<ModelEvent>& in_order() const { return all_; }

 private:
  uint64_t seq_ = 0;
  std::vector<ModelEvent> all_;
  std::map<std::string, std::vector<ModelEvent>> keys_;
};

// What a scan yields, copied out.
struct Got {
  std::string group;
  int64_t timestamp;
  std::string data;
  std::vector<std::pair<std::string, std::string>> indexes;
  bool operator==(const Got&) const = default;
};
std::vector<Got> collect(Scan scan);
std::vector<Got> to_got(const std::vector<const ModelEvent*>& events, bool with_indexes);

// Writes the model's events (in add order) to `path`.
FileStats write_model(const Model& m, const std::string& path, WriterOptions o = {});

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& bytes);
// The footer's required flags (format::kFlag...) of a whole file's bytes.
uint32_t required_flags(const std::string& file_bytes);

}  // namespace esdb::test
