#include "goesdb/space.h"

#include <algorithm>

#include "format/coding.h"
#include "format/format.h"
#include "goesdb/table.h"

namespace esdb::goesdb {
namespace {

constexpr uint8_t kSpaceMagic = 0x2A;
constexpr uint64_t kEntrySize = 10;  // block: fixed64 | offset: fixed16

}  // namespace

void Space::unsupported(uint64_t offset, const std::string& what) const {
  throw Error(Errc::unsupported, f_.path, offset, "Go ESDB space \"" + key_ + "\": " + what);
}

Space::Space(const GoFile& f, std::string key, uint64_t offset, uint64_t length)
    : f_(f), key_(std::move(key)), offset_(offset) {
  const uint64_t end = offset + length;  // the caller checked it lies in the file
  if (key_.empty() || key_.size() > format::kMaxKeySize) {
    unsupported(offset, "a key of " + std::to_string(key_.size()) + " bytes cannot be an esdb key (1..65535)");
  }
  if (length == 0 || static_cast<uint8_t>(f.data[offset]) != kSpaceMagic) f.corrupt(offset, "space does not start with 0x2A");
  uint64_t table_offset = 0;
  const std::vector<TableEntry> entries = read_trailing_table(f, offset + 1, end, table_offset);

  // Go writes the sections back to back in name order: they must tile the
  // space from its magic byte to its index, which also rules out overlaps.
  uint64_t next = offset + 1;
  for (const TableEntry& e : entries) {
    format::Cursor c(e.value);
    uint64_t rel, len;
    if (!c.varint(rel) || !c.varint(len) || !c.empty()) f.corrupt(e.offset, "malformed space index entry");
    if (rel > length || offset + rel != next || len > table_offset - next) {
      f.corrupt(e.offset, "section \"" + e.key + "\" at " + std::to_string(rel) + " (+" + std::to_string(len) +
                              ") does not follow the previous section, which ends at " +
                              std::to_string(next - offset));
    }
    next += len;
    Section s{e.key.substr(std::min<size_t>(1, e.key.size())), offset + rel, len};
    if (e.key.starts_with('g')) {
      if (s.name.size() > format::kMaxGroupSize) unsupported(e.offset, "grouping longer than 65535 bytes");
      groupings_.push_back({std::move(s), nullptr, {}, 0});
    } else if (e.key.starts_with('i')) {
      const size_t colon = s.name.find(':');
      if (colon == std::string::npos) f.corrupt(e.offset, "index section \"" + e.key + "\" has no ':'");
      if (colon > format::kMaxIndexNameSize || s.name.size() - colon - 1 > format::kMaxIndexValueSize) {
        unsupported(e.offset, "index name or value longer than 65535 bytes");
      }
      index_sections_.push_back(std::move(s));
    } else {
      f.corrupt(e.offset, "section \"" + e.key + "\" is neither a grouping (g) nor an index (i)");
    }
  }
  if (next != table_offset) f.corrupt(next, "bytes between the last section and the space index");

  for (Grouping& g : groupings_) {
    g.first_event = counts_.events;
    read_grouping(g);
    counts_.events += g.records.size();
  }
  counts_.groupings = groupings_.size();
  for (const Section& s : index_sections_) {
    const size_t colon = s.name.find(':');
    index_names_.push_back({std::string_view(s.name).substr(0, colon), std::string_view(s.name).substr(colon + 1)});
  }
  for (uint32_t i = 0; i < index_sections_.size(); i++) read_index(i);
  counts_.index_sections = index_sections_.size();
  std::sort(postings_.begin(), postings_.end());
  auto dup = std::adjacent_find(postings_.begin(), postings_.end());
  if (dup != postings_.end()) {
    f.corrupt(index_sections_[dup->second].offset, "index section lists one event twice");
  }
}

void Space::read_grouping(Grouping& g) {
  g.blocks = std::make_unique<BlockStream>(f_, g.section.offset, g.section.length);
  BlockStream& b = *g.blocks;
  const uint64_t end = b.size() - 1;  // the 0x00 that ends the records
  std::string head;
  for (uint64_t pos = 0; pos < end;) {
    head.clear();
    b.read(pos, std::min<uint64_t>(14, end - pos), head);  // a uvarint and a fixed32 at most
    format::Cursor c(head);
    Record r;
    r.start = pos;
    if (!c.varint(r.data_len) || !c.fixed32(r.timestamp)) {
      f_.corrupt(b.file_offset_of(pos), "malformed event record in grouping \"" + g.section.name + "\"");
    }
    r.data = pos + c.position();
    if (r.data_len > end - r.data) {
      f_.corrupt(b.file_offset_of(pos), "event record of " + std::to_string(r.data_len) +
                                            " bytes runs past its grouping's end");
    }
    if (r.data_len > format::kMaxDataSize) unsupported(b.file_offset_of(pos), "event data exceeds 2 GiB");
    counts_.data_bytes += r.data_len;
    g.records.push_back(r);
    pos = r.data + r.data_len;
  }
  if (b.byte_at(end) != 0) f_.corrupt(b.file_offset_of(end), "grouping \"" + g.section.name + "\" does not end with 0x00");
}

void Space::read_index(uint32_t index_number) {
  const Section& s = index_sections_[index_number];
  BlockStream b(f_, s.offset, s.length);
  if (b.size() % kEntrySize != 1 || b.byte_at(b.size() - 1) != 0) {
    f_.corrupt(s.offset, "index section \"" + s.name + "\" of " + std::to_string(b.size()) +
                             " bytes is not 10-byte entries and a final 0x00");
  }
  const uint64_t count = b.size() / kEntrySize;
  std::string buf;
  constexpr uint64_t kBatch = 400;  // entries decoded per read
  for (uint64_t i = 0; i < count; i += kBatch) {
    buf.clear();
    const uint64_t n = std::min(kBatch, count - i);
    b.read(i * kEntrySize, n * kEntrySize, buf);
    for (uint64_t j = 0; j < n; j++) {
      const char* e = buf.data() + j * kEntrySize;
      const uint64_t block = format::load_fixed64(e);
      const uint64_t in_block = static_cast<uint8_t>(e[8]) | static_cast<uint64_t>(static_cast<uint8_t>(e[9])) << 8;
      postings_.emplace_back(event_at(b.file_offset_of((i + j) * kEntrySize), block, in_block), index_number);
    }
  }
  counts_.index_entries += count;
}

uint64_t Space::event_at(uint64_t blame, uint64_t block, uint64_t in_block) const {
  const auto miss = [&](const char* why) {
    f_.corrupt(blame, "index entry (block " + std::to_string(block) + ", offset " + std::to_string(in_block) +
                          ") points at no event: " + why);
  };
  // Signed in Go; a negative one is as foreign as one past the space.
  if (block >= f_.size - offset_) miss("block lies outside the space");
  const uint64_t at = offset_ + block;
  auto g = std::upper_bound(groupings_.begin(), groupings_.end(), at,
                            [](uint64_t a, const Grouping& x) { return a < x.section.offset; });
  if (g == groupings_.begin()) miss("block lies in no grouping section");
  --g;
  const int64_t k = g->blocks->find_block(at);
  if (k < 0) miss("no block header there");
  if (in_block > BlockStream::kBlockSize) miss("offset beyond 4096");
  const uint64_t pos = static_cast<uint64_t>(k) * BlockStream::kBlockSize + in_block;
  auto r = std::lower_bound(g->records.begin(), g->records.end(), pos,
                            [](const Record& x, uint64_t p) { return x.start < p; });
  if (r == g->records.end() || r->start != pos) miss("no event record starts there");
  return g->first_event + static_cast<uint64_t>(r - g->records.begin());
}

void Space::for_each_event(const std::function<void(const EventInput&)>& fn) {
  EventInput in;
  in.key = key_;
  std::string data;
  for (Grouping& g : groupings_) {
    in.group = g.section.name;
    for (uint64_t i = g.records.size(); i-- > 0;) {
      const Record& r = g.records[i];
      data.clear();
      g.blocks->read(r.data, r.data_len, data);
      in.timestamp = r.timestamp;  // unsigned 32-bit seconds, as Go stored them
      in.data = data;
      in.indexes.clear();
      const uint64_t id = g.first_event + i;
      auto p = std::lower_bound(postings_.begin(), postings_.end(), std::make_pair(id, uint32_t{0}));
      for (; p != postings_.end() && p->first == id; ++p) {
        in.indexes.push_back({index_names_[p->second].name, index_names_[p->second].value});
      }
      fn(in);
    }
  }
}

}  // namespace esdb::goesdb
