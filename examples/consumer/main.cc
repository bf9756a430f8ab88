// Writes a small file with the installed library and reads it back; exits 0
// only if every event comes back as written. Built by CMake (find_package)
// and by a plain `g++ $(pkg-config --cflags --libs esdb)` line in CI.
#include <esdb/esdb.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE.esdb\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  try {
    esdb::WriterOptions options;
    options.overwrite = true;
    esdb::Writer w = esdb::Writer::create(path, options);
    for (int i = 0; i < 1000; i++) {
      const std::string key = "customer-" + std::to_string(i % 10);
      const std::string data = "{\"n\":" + std::to_string(i) + "}";
      // Every field named: GCC's -Wextra warns of designated initializers
      // that leave some out (-Wmissing-field-initializers).
      w.add({.key = key, .timestamp = 1000 + i, .data = data, .group = "",
             .indexes = {{"type", i % 3 == 0 ? "purchase" : "view"}}});
    }
    const esdb::FileStats stats = w.finish();

    const esdb::Reader r = esdb::Reader::open(path);
    if (!r.verify().empty()) throw std::runtime_error(path + ": verify found problems");
    const auto k = r.find("customer-3");
    if (!k) throw std::runtime_error("customer-3 not found");
    std::vector<int64_t> got;
    esdb::ScanOptions purchases;
    purchases.index = esdb::IndexEntry{"type", "purchase"};
    purchases.reverse = true;
    for (const esdb::Event& e : k->scan(purchases)) got.push_back(e.timestamp);
    // customer-3 holds i = 3, 13, ..., 993; purchases are those with i % 3 == 0.
    std::vector<int64_t> want;
    for (int i = 993; i >= 3; i -= 10) {
      if (i % 3 == 0) want.push_back(1000 + i);
    }
    if (stats.event_count != 1000 || stats.key_count != 10 || got != want) {
      std::fprintf(stderr, "esdb_consumer: read back something else than was written\n");
      return 1;
    }
    std::printf("esdb_consumer: ok, %llu events in %llu keys, %zu purchases of customer-3\n",
                static_cast<unsigned long long>(stats.event_count),
                static_cast<unsigned long long>(stats.key_count), got.size());
  } catch (const esdb::Error& e) {
    std::fprintf(stderr, "esdb_consumer: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "esdb_consumer: %s\n", e.what());
    return 1;
  }
  return 0;
}
