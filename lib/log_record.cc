#include "log_record.h"

#include <cstring>

#include "format/checksum.h"
#include "format/coding.h"

namespace esdb::detail {

using namespace format;

std::string log_header() {
  std::string h(kLogMagic, sizeof kLogMagic);
  put_fixed32(h, kLogVersion);
  put_fixed32(h, checksum(h, 0));
  return h;
}

std::string check_log_header(std::string_view b) {
  if (b.size() < kLogHeaderSize) return "too short for a log header";
  if (std::memcmp(b.data(), kLogMagic, sizeof kLogMagic) != 0) return "not an esdb log (bad magic)";
  if (load_fixed32(b.data() + 12) != checksum(b.data(), 12, 0)) return "log header checksum mismatch";
  uint32_t v = load_fixed32(b.data() + 8);
  if (v != kLogVersion) return "log version " + std::to_string(v) + " is not supported (this library reads 1)";
  return "";
}

static void check_limits(const EventInput& e) {
  auto bad = [](const std::string& what) { throw Error(Errc::invalid_argument, "", Error::kNoOffset, what); };
  if (e.key.empty() || e.key.size() > 65535) bad("key must be 1..65535 bytes");
  if (e.group.size() > 65535) bad("group must be at most 65535 bytes");
  if (e.data.size() > (uint64_t{1} << 31)) bad("data must be at most 2^31 bytes");
  for (const IndexEntry& i : e.indexes) {
    if (i.name.size() > 65535 || i.value.size() > 65535) bad("index names and values must be at most 65535 bytes");
  }
}

void encode_record(std::string& out, uint64_t offset, const EventInput& e) {
  check_limits(e);
  const size_t start = out.size();
  out.append(kRecordHeaderSize, '\0');
  out.push_back(static_cast<char>(kRecordEvent));
  put_bytes(out, e.key);
  put_bytes(out, e.group);
  put_varint(out, zigzag(e.timestamp));
  put_bytes(out, e.data);
  put_varint(out, e.indexes.size());
  for (const IndexEntry& i : e.indexes) {
    put_bytes(out, i.name);
    put_bytes(out, i.value);
  }
  const size_t len = out.size() - start - kRecordHeaderSize;
  if (len > kMaxRecordPayload) {
    out.resize(start);
    throw Error(Errc::invalid_argument, "", Error::kNoOffset, "event too large for one log record");
  }
  char* h = out.data() + start;
  store_fixed32(h, static_cast<uint32_t>(len));
  store_fixed32(h + 4, checksum(h + kRecordHeaderSize, len, offset + kRecordHeaderSize));
  store_fixed32(h + 8, checksum(h, 8, offset));
}

int64_t record_length(const char* h, uint64_t offset) {
  if (load_fixed32(h + 8) != checksum(h, 8, offset)) return -1;
  uint32_t len = load_fixed32(h);
  return len == 0 || len > kMaxRecordPayload ? -1 : static_cast<int64_t>(len);
}

bool payload_ok(const char* h, std::string_view payload, uint64_t offset) {
  return load_fixed32(h + 4) == checksum(payload, offset + kRecordHeaderSize);
}

std::string decode_payload(std::string_view payload, LogEvent& out) {
  Cursor c(payload);
  std::string_view type;
  if (!c.bytes(1, type) || static_cast<uint8_t>(type[0]) != kRecordEvent) return "unknown record type";
  uint64_t ts, n;
  if (!c.prefixed(out.key, 65535) || out.key.empty()) return "bad key";
  if (!c.prefixed(out.group, 65535)) return "bad group";
  if (!c.varint(ts)) return "bad timestamp";
  out.timestamp = unzigzag(ts);
  if (!c.prefixed(out.data, uint64_t{1} << 31)) return "bad data";
  // Each entry takes at least two bytes, which bounds the allocation.
  if (!c.varint(n) || n > c.remaining() / 2) return "bad index count";
  out.indexes.clear();
  out.indexes.reserve(n);
  for (uint64_t i = 0; i < n; i++) {
    IndexEntry e;
    if (!c.prefixed(e.name, 65535) || !c.prefixed(e.value, 65535)) return "bad index entry";
    out.indexes.push_back(e);
  }
  if (!c.empty()) return "trailing bytes after the event";
  return "";
}

}  // namespace esdb::detail
