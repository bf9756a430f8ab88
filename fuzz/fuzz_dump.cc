// fuzz_dump: the `esdb dump | esdb build --from-dump` round trip on one event.
// The input is cut into an event (below); its dump line must be one line of
// JSON that the dump parser reads back to exactly the same key, group,
// timestamp, data and index entries, whatever the bytes are.
//
//   input := ts: 8 bytes | key_len: u8 | key | group_len: u8 | group
//          | entry_count: u8 | entry_count x (name_len: u8 | name | value_len: u8 | value)
//          | data: the rest
// Missing bytes read as zero; an empty key becomes "k" (dump never sees one).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dump_parser.h"
#include "json_out.h"

namespace {

struct Input {
  std::string_view rest;
  uint8_t byte() {
    if (rest.empty()) return 0;
    const uint8_t b = static_cast<uint8_t>(rest.front());
    rest.remove_prefix(1);
    return b;
  }
  std::string_view bytes(size_t n) {
    n = std::min(n, rest.size());
    std::string_view out = rest.substr(0, n);
    rest.remove_prefix(n);
    return out;
  }
};

[[noreturn]] void fail(const char* what, const std::string& line) {
  std::fprintf(stderr, "fuzz_dump: %s\nline: %s\n", what, line.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in{std::string_view(reinterpret_cast<const char*>(data), size)};
  uint64_t ts = 0;
  for (int i = 0; i < 8; i++) ts |= static_cast<uint64_t>(in.byte()) << (8 * i);
  std::string_view key = in.bytes(in.byte());
  if (key.empty()) key = "k";
  const std::string_view group = in.bytes(in.byte());
  std::vector<esdb::IndexEntry> entries(in.byte());
  for (esdb::IndexEntry& e : entries) {
    e.name = in.bytes(in.byte());
    e.value = in.bytes(in.byte());
  }
  esdb::Event event;
  event.key = key;
  event.group = group;
  event.timestamp = static_cast<int64_t>(ts);
  event.data = in.rest;
  event.indexes = entries;

  static esdb::cli::EnvelopeWriter writer;
  static esdb::cli::DumpRecordParser parser;
  std::string line;
  writer.append(line, event, true);
  if (line.find('\n') != std::string::npos) fail("dump line holds a line break", line);

  esdb::cli::Record back;
  std::string error;
  if (!parser.parse(line, back, error)) fail(("dump line does not parse: " + error).c_str(), line);
  if (back.key != key || back.group != group || back.time != event.timestamp || back.data != event.data) {
    fail("dump line reads back different bytes", line);
  }
  if (back.indexes.size() != entries.size()) fail("dump line reads back different index entries", line);
  for (size_t i = 0; i < entries.size(); i++) {
    if (back.indexes[i].first != entries[i].name || back.indexes[i].second != entries[i].value) {
      fail("dump line reads back different index entries", line);
    }
  }
  return 0;
}
