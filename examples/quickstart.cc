// The README's example: archive a few events, look a customer up, and read
// their purchases newest first.
#include <esdb/esdb.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : "activity.esdb";
  try {
    esdb::Writer w = esdb::Writer::create(path, {.overwrite = true});
    w.add({.key = "customer-1", .timestamp = 1403534919, .data = R"({"url":"/"})",
           .indexes = {{"type", "page"}}});
    w.add({.key = "customer-1", .timestamp = 1403534923, .data = R"({"total":42.99})",
           .indexes = {{"type", "purchase"}}});
    w.add({.key = "customer-2", .timestamp = 1403534920, .data = R"({"button":"About"})",
           .indexes = {{"type", "click"}}});
    w.add({.key = "customer-1", .timestamp = 1403534925, .data = R"({"total":7.50})",
           .indexes = {{"type", "purchase"}}});
    esdb::FileStats s = w.finish();
    std::printf("wrote %s: %llu keys, %llu events, %llu bytes\n", path.c_str(),
                static_cast<unsigned long long>(s.key_count), static_cast<unsigned long long>(s.event_count),
                static_cast<unsigned long long>(s.file_size));

    esdb::Reader r = esdb::Reader::open(path);
    if (auto k = r.find("customer-1")) {
      std::printf("history of customer-1:\n");
      for (const esdb::Event& e : k->scan()) std::printf("  %lld %.*s\n", static_cast<long long>(e.timestamp),
                                                         static_cast<int>(e.data.size()), e.data.data());
      std::printf("purchases of customer-1, newest first:\n");
      for (const esdb::Event& e : k->scan({.index = esdb::IndexEntry{"type", "purchase"}, .reverse = true})) {
        std::printf("  %lld %.*s\n", static_cast<long long>(e.timestamp), static_cast<int>(e.data.size()), e.data.data());
      }
    }
  } catch (const esdb::Error& e) {
    std::fprintf(stderr, "quickstart: %s\n", e.what());
    return 1;
  }
  return 0;
}
