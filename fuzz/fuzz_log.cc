// fuzz_log: an ingest log file, opened by a reader and by a writer (which
// cuts a torn tail), every key scanned both ways and by index, the whole log
// tailed, and sealed. The input's first byte picks how the rest is used:
//
//   even: the file's bytes after a valid 16-byte header (raw framing,
//         checksums, torn tails and damage);
//   odd:  a list of `len: u8 | payload` records that the harness frames with
//         correct checksums, so the payload decoder and the index are reached.
//
// Besides "no crash": a log of soundly framed records either opens with one
// event per record or is corrupt; after a writer's open the file is exactly
// valid_end bytes and opens again with no torn tail and the same events.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "esdb/log.h"
#include "format/checksum.h"
#include "format/coding.h"
#include "log_record.h"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_log: %s\n", what);
  std::abort();
}

const std::string& scratch() {
  static const std::string path = [] {
    char name[] = "/tmp/fuzz_log.XXXXXX";
    int fd = ::mkstemp(name);
    if (fd < 0) fail("mkstemp");
    ::close(fd);
    return std::string(name);
  }();
  return path;
}

void write_all(const std::string& bytes) {
  FILE* f = std::fopen(scratch().c_str(), "wb");
  if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) fail("write");
  std::fclose(f);
}

uint64_t read_everything(const esdb::Log& log) {
  uint64_t n = 0;
  for (const std::string& k : log.keys()) {
    auto key = log.find(k);
    if (!key) fail("a listed key is not found");
    for (bool reverse : {false, true}) {
      for (const esdb::Event& e : key->scan({.reverse = reverse, .with_indexes = true})) {
        if (e.key != k) fail("a scan returned another key's event");
        n++;
        for (const esdb::IndexEntry& i : e.indexes) {
          uint64_t m = 0;
          for (const esdb::Event& x : key->scan({.index = i})) m += x.ordinal < key->event_count();
          if (m == 0) fail("an event's index entry finds nothing");
        }
      }
    }
  }
  esdb::LogTail t = log.tail();
  uint64_t records = 0;
  while (t.next()) records++;
  if (records != log.event_count() || n != 2 * records) fail("scans and tail disagree with event_count");
  return records;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes = esdb::detail::log_header();
  const bool framed = data[0] & 1;
  uint64_t framed_records = 0;
  if (!framed) {
    bytes.append(reinterpret_cast<const char*>(data + 1), size - 1);
  } else {
    for (size_t i = 1; i < size;) {
      size_t len = data[i++];
      if (len == 0 || len > size - i) break;
      const uint64_t at = bytes.size();
      std::string payload(reinterpret_cast<const char*>(data + i), len);
      i += len;
      esdb::format::put_fixed32(bytes, static_cast<uint32_t>(len));
      esdb::format::put_fixed32(bytes, esdb::format::checksum(payload, at + esdb::detail::kRecordHeaderSize));
      esdb::format::put_fixed32(bytes, esdb::format::checksum(bytes.data() + at, 8, at));
      bytes += payload;
      framed_records++;
    }
  }
  write_all(bytes);
  uint64_t events = 0;
  bool sound = false;
  try {
    esdb::Log r = esdb::Log::open_read(scratch());
    events = read_everything(r);
    sound = true;
    if (framed && events != framed_records) fail("soundly framed records were lost");
  } catch (const esdb::Error&) {
  }
  try {
    esdb::Log w = esdb::Log::open(scratch());
    const uint64_t valid_end = w.recovery().valid_end;
    if (sound && w.event_count() != events) fail("the writer and the reader see different logs");
    w.close();
    esdb::Log again = esdb::Log::open_read(scratch());
    if (again.recovery().torn_bytes != 0 || again.end() != valid_end || again.event_count() != w.event_count()) {
      fail("a recovered log is not clean when opened again");
    }
    read_everything(again);
  } catch (const esdb::Error&) {
  }
  return 0;
}
