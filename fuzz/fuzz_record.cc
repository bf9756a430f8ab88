// fuzz_record: the input parsing of `esdb build`. The first byte picks the
// input format (bits 0-1: JSON lines, CSV, dump envelope) and the time unit
// (bits 2-3); the rest is the input file, read through RecordReader (line
// reader, CSV record joining, header, record parsers) from a memfd. Parsers
// may only report bad records or throw CliError; a record they accept must
// be one Writer::add would take. JSON lines are also read in bulk
// (RecordBatcher: simdjson document stream, one validating walk), which must
// yield exactly what the record-at-a-time reader does, line numbers and
// errors included.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cli_error.h"
#include "record_batcher.h"
#include "record_reader.h"
#include "time_parse.h"

namespace {

using namespace esdb::cli;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_record: %s\n", what);
  std::abort();
}

void check_record(const Record& r) {
  if (r.key.empty() || r.key.size() > 65535) fail("accepted a record with a bad key");
  if (r.group.size() > 65535) fail("accepted a record with a bad group");
  if (!std::is_sorted(r.indexes.begin(), r.indexes.end()) ||
      std::adjacent_find(r.indexes.begin(), r.indexes.end()) != r.indexes.end()) {
    fail("index entries not sorted and unique");
  }
  for (const auto& [name, value] : r.indexes) {
    if (value.empty()) fail("accepted an empty index value");
  }
  esdb::EventInput e;
  r.to_event(e);
  if (e.indexes.size() != r.indexes.size()) fail("to_event lost index entries");
}

// One record or bad line, as text, for comparing the two readers.
std::string describe(uint64_t line, std::string_view key, int64_t time, std::string_view group,
                     std::string_view data, const esdb::EventInput& e) {
  std::string s = std::to_string(line) + "\x1f" + std::string(key) + "\x1f" + std::to_string(time) + "\x1f" +
                  std::string(group) + "\x1f" + std::string(data);
  for (const esdb::IndexEntry& x : e.indexes) s += "\x1f" + std::string(x.name) + "\x1e" + std::string(x.value);
  return s;
}

std::vector<std::string> bulk_records(const std::string& path, const FieldSpec& spec) {
  std::vector<std::string> out;
  try {
    RecordBatcher batcher(path, InputFormat::json, spec);
    RecordBatch batch;
    esdb::EventInput e;
    while (batcher.next(batch) && out.size() < 10000) {
      for (const RecordBatch::Item& item : batch.items) {
        if (!item.error.empty()) {
          out.push_back("bad " + std::string(item.error));
          continue;
        }
        batch.to_event(item, e);
        out.push_back(describe(item.line, item.key, item.time, item.group, item.data, e));
      }
    }
  } catch (const CliError& e) {
    out.push_back(std::string("error ") + e.what());
  }
  if (out.size() > 10000) out.resize(10000);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const int fd = memfd_create("fuzz_record.in", MFD_CLOEXEC);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (fd < 0 || size == 0) return 0;
  const uint8_t flags = data[0];
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (ftruncate(fd, 0) != 0 || pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    std::abort();
  }

  static const InputFormat formats[] = {InputFormat::json, InputFormat::csv, InputFormat::dump, InputFormat::json};
  static const TimeUnit units[] = {TimeUnit::s, TimeUnit::ms, TimeUnit::us, TimeUnit::ns};
  FieldSpec spec{.key = "key", .time = "ts", .group = "group", .indexes = {"type", "tag"},
                 .unit = units[(flags >> 2) & 3]};
  const bool json = formats[flags & 3] == InputFormat::json;
  std::vector<std::string> one_by_one;
  try {
    RecordReader reader(path, formats[flags & 3], spec);
    Record record;
    esdb::EventInput e;
    for (int n = 0; n < 10000; n++) {
      RecordReader::Status s = reader.next(record);
      if (s == RecordReader::Status::end) break;
      if (s == RecordReader::Status::record) check_record(record);
      if (!json) continue;
      if (s == RecordReader::Status::bad) {
        one_by_one.push_back("bad " + reader.error());
      } else {
        record.to_event(e);
        one_by_one.push_back(describe(reader.line(), record.key, record.time, record.group, record.data, e));
      }
    }
  } catch (const CliError& e) {
    // An input the build cannot go on with (e.g. a CSV header without the
    // key column): reported, not a crash.
    one_by_one.push_back(std::string("error ") + e.what());
  }
  if (json && bulk_records(path, spec) != one_by_one) fail("bulk JSON parsing differs from line by line");

  int64_t t;
  std::string why;
  if (text.size() < 256) parse_time(text, spec.unit, t, why);
  return 0;
}
