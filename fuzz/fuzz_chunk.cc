// fuzz_chunk: one chunk payload and one index block payload, decoded by the
// internal parsers the reader uses (the chunk bytes also as a covering
// copy of a key of event_count events), with every posting list walked
// both ways. The input is
//
//   flags: u8 (bit 0: the chunk bytes are a block's stored bytes, of type
//              snappy, zstd or sub-block chunk as bits 1-2 say: 0, 1, 2)
//   | expected: varint | first_ts: zigzag varint | last_ts: zigzag varint
//   | chunk_len: varint | chunk bytes | event_count: varint | index block bytes
//
// (fuzz/make_corpus.cc writes seeds in this layout from a real file).
// Besides "no crash", a successful decode must agree with what it was told:
// the event count, the bounds, ordinals in range and the same list both ways.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "block.h"
#include "buffer.h"
#include "chunk.h"
#include "esdb/esdb.h"
#include "file.h"
#include "format/checksum.h"
#include "format/coding.h"
#include "format/format.h"
#include "index_block.h"
#include "postings.h"
#include "sub_blocks.h"

namespace {

using esdb::format::Cursor;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_chunk: %s\n", what);
  std::abort();
}

// A chunk as the reader sees it: stored bytes with a correct trailer of
// `type`, in a file with the compact-blocks flag, so the Snappy and zstd
// paths and their size checks are reached. Returns the stored bytes.
std::string_view via_block(std::string_view stored, uint8_t type, std::string& file_bytes, esdb::detail::File& f) {
  const uint64_t offset = esdb::format::kHeaderSize;
  file_bytes.assign(offset, '\0');
  file_bytes.append(stored);
  file_bytes.push_back(static_cast<char>(type));
  std::string t(1, static_cast<char>(type));
  esdb::format::put_fixed32(file_bytes, esdb::format::checksum_parts(stored, t, offset));
  f.path = "fuzz";
  f.size = file_bytes.size();
  f.all = esdb::detail::Window{file_bytes.data(), 0, file_bytes.size(), nullptr};
  f.footer.required_flags = esdb::format::kFlagCompactBlocks;
  uint8_t got;
  return esdb::read_stored_block(f, f.all, offset, stored.size() + 5, offset, f.size, "chunk", got);
}

void check_chunk(std::string_view payload, uint64_t expected, int64_t first_ts, int64_t last_ts) {
  esdb::DecodedChunk chunk;
  if (!chunk.decode(payload, expected, first_ts, last_ts).empty()) return;
  if (chunk.size() != expected) fail("decoded chunk has the wrong event count");
  if (chunk.ts(0) != first_ts || chunk.ts(chunk.size() - 1) != last_ts) fail("decoded chunk bounds disagree");
  uint64_t sum = 0;
  for (size_t i = 0; i < chunk.size(); i++) {
    if (i > 0 && chunk.ts(i) < chunk.ts(i - 1)) fail("decoded chunk timestamps go down");
    std::string_view d = chunk.data(i);
    if (d.data() < payload.data() || d.data() + d.size() > payload.data() + payload.size()) {
      fail("event data outside the payload");
    }
    for (char c : d) sum += static_cast<uint8_t>(c);
  }
  volatile uint64_t sink = sum;
  (void)sink;
}

// A sub-block chunk: the table, then every sub-block decoded as the scan
// decodes it; together they must hold exactly the chunk's events in order.
void check_sub_blocks(std::string_view stored, uint64_t expected, int64_t first_ts, int64_t last_ts) {
  esdb::SubBlockTable table;
  if (!table.parse(stored, expected).empty()) return;
  esdb::Buffer scratch;
  esdb::DecodedChunk sub;
  uint64_t events = 0;
  for (uint32_t i = 0; i < table.size(); i++) {
    std::string_view payload;
    if (!esdb::decompress(table.codec(i), table.stored(i), scratch, payload).empty()) return;
    uint64_t n = table.event_end(i) - table.first_event(i);
    if (!sub.decode_part(payload, n, first_ts, last_ts, i == 0, i + 1 == table.size()).empty()) return;
    if (sub.size() != n) fail("sub-block has the wrong event count");
    if (sub.ts(0) < first_ts || sub.ts(sub.size() - 1) > last_ts) fail("sub-block outside the chunk's bounds");
    if (table.find(table.first_event(i)) != i || table.find(table.event_end(i) - 1) != i) fail("find disagrees");
    events += n;
  }
  if (events != expected) fail("sub-blocks hold the wrong event count");
}

// Walks `list`; false if the walk reported a problem.
bool walk(const esdb::PostingList& list, bool reverse, uint64_t event_count, std::vector<uint64_t>& out) {
  out.clear();
  esdb::PostingCursor c(list, reverse);
  while (c.valid()) {
    uint64_t o = c.ordinal();
    if (o < list.first || o > list.last || o >= event_count) fail("posting ordinal out of range");
    if (!out.empty() && (reverse ? o >= out.back() : o <= out.back())) fail("posting ordinals not monotonic");
    out.push_back(o);
    if (!c.advance().empty()) return false;
  }
  return true;
}

// The same bytes read as a covering copy of `expected` events.
void check_cover(std::string_view payload, uint64_t expected, uint64_t event_count) {
  esdb::DecodedChunk cover;
  if (!cover.decode_cover(payload, expected, event_count).empty()) return;
  if (cover.size() != expected) fail("cover has the wrong event count");
  for (size_t i = 0; i < cover.size(); i++) {
    std::string_view d = cover.data(i);
    if (d.data() < payload.data() || d.data() + d.size() > payload.data() + payload.size()) fail("cover event outside the payload");
    if (cover.ordinal(i) >= event_count || (i > 0 && cover.ordinal(i) <= cover.ordinal(i - 1))) fail("cover ordinals out of order");
  }
}

void check_index(std::string_view payload, uint64_t event_count, std::string_view spare) {
  std::vector<esdb::IndexRecord> records;
  if (!esdb::parse_index_block(payload, event_count, records).empty()) return;
  std::vector<uint64_t> fwd, rev;
  for (const esdb::IndexRecord& r : records) {
    if (r.count == 0 || r.count > event_count || r.last >= event_count) fail("index record header out of range");
    std::string_view deltas = r.inline_deltas;
    if (r.external) {
      // The list lives elsewhere in a real file; borrow bytes from the input.
      if (r.deltas_len > spare.size()) continue;
      deltas = spare.substr(0, r.deltas_len);
    }
    esdb::PostingList list = r.list(deltas);
    bool ok_f = walk(list, false, event_count, fwd);
    bool ok_r = walk(list, true, event_count, rev);
    if (ok_f && fwd.size() != r.count) fail("forward walk yields the wrong count");
    if (ok_r && rev.size() != r.count) fail("reverse walk yields the wrong count");
    if (ok_f && ok_r && std::vector<uint64_t>(rev.rbegin(), rev.rend()) != fwd) fail("walks disagree");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Cursor in(reinterpret_cast<const char*>(data), reinterpret_cast<const char*>(data) + size);
  std::string_view flags, chunk_bytes;
  uint64_t expected, first, last, chunk_len, event_count;
  if (!in.bytes(1, flags) || !in.varint(expected) || !in.varint(first) || !in.varint(last) ||
      !in.varint(chunk_len) || !in.bytes(chunk_len, chunk_bytes) || !in.varint(event_count)) {
    return 0;
  }
  std::string_view index_bytes(in.data(), in.remaining());
  const int64_t first_ts = esdb::format::unzigzag(first), last_ts = esdb::format::unzigzag(last);

  std::string file_bytes;
  esdb::Buffer scratch;
  std::string_view payload = chunk_bytes;
  bool have_payload = true;
  if (flags[0] & 1) {
    static constexpr uint8_t kTypes[4] = {esdb::format::kSnappyBlock, esdb::format::kZstdBlock,
                                          esdb::format::kSubBlockChunk, esdb::format::kRawBlock};
    const uint8_t type = kTypes[(static_cast<uint8_t>(flags[0]) >> 1) & 3];
    try {
      esdb::detail::File f;
      std::string_view stored = via_block(chunk_bytes, type, file_bytes, f);
      if (type == esdb::format::kSubBlockChunk) {
        check_sub_blocks(stored, expected, first_ts, last_ts);
        have_payload = false;
      } else if (!esdb::decompress(type, stored, scratch, payload).empty()) {
        have_payload = false;
      }
    } catch (const esdb::Error&) {
      have_payload = false;
    }
  }
  if (have_payload) {
    check_chunk(payload, expected, first_ts, last_ts);
    check_cover(payload, expected, event_count);
  }
  check_index(index_bytes, event_count, chunk_bytes);
  return 0;
}
