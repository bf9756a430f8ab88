// fuzz_import: the input is a Go ESDB file (customerio/esdb v1.0.x), read by
// the importer's own parsers (lib/goesdb/) exactly as esdb import reads it,
// first with real table checksums, then trusting them (trusting_crc32c.h) so
// mutations of the tables reach their structure. Besides "no crash", a space
// that parses must hand out exactly the events and index entries it counted,
// each within esdb's limits, and inspect() must agree.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "esdb/esdb.h"
#include "format/format.h"
#include "fuzz/trusting_crc32c.h"
#include "goesdb/file_index.h"
#include "goesdb/go_file.h"
#include "goesdb/inspect.h"
#include "goesdb/space.h"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_import: %s\n", what);
  std::abort();
}

void run(const esdb::goesdb::GoFile& f) {
  using namespace esdb::goesdb;
  uint64_t events = 0, entries = 0;
  bool whole = true;
  try {
    for (const SpaceRef& ref : read_file_index(f)) {
      try {
        Space s(f, ref.key, ref.offset, ref.length);
        uint64_t n = 0, x = 0, bytes = 0;
        s.for_each_event([&](const esdb::EventInput& e) {
          if (e.key != s.key() || e.key.empty()) fail("event of the wrong key");
          if (e.timestamp < 0 || e.timestamp > int64_t{0xffffffff}) fail("timestamp outside uint32");
          if (e.group.size() > esdb::format::kMaxGroupSize) fail("group too long");
          n++;
          x += e.indexes.size();
          bytes += e.data.size();
        });
        if (n != s.counts().events || x != s.counts().index_entries || bytes != s.counts().data_bytes) {
          fail("events handed out differ from those counted");
        }
        events += n;
        entries += x;
      } catch (const esdb::Error&) {
        whole = false;
      }
    }
  } catch (const esdb::Error&) {
    return;  // the file index itself is damaged
  }
  const esdb::GoFileReport r = inspect(f);
  if (whole != r.problems.empty() || r.events != events || r.index_entries != entries) {
    fail("inspect disagrees with the importer's parsers");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  esdb::goesdb::GoFile f;
  f.path = "fuzz-input";
  f.data = reinterpret_cast<const char*>(data);
  f.size = size;
  esdb::fuzz::trust_crc32c = false;
  run(f);
  esdb::fuzz::trust_crc32c = true;
  run(f);
  return 0;
}
