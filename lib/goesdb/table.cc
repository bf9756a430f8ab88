#include "goesdb/table.h"

#include <cstring>

#include "format/coding.h"
#include "esdb/error.h"
#include "goesdb/crc32c.h"

namespace esdb::goesdb {
namespace {

constexpr uint64_t kFooterSize = 48;
constexpr uint64_t kTrailerSize = 5;  // type byte + masked crc32c
constexpr char kMagic[] = "\x57\xfb\x80\x8b\x24\x75\x47\xdb";

struct Handle {
  uint64_t offset = 0;
  uint64_t size = 0;
};

bool decode_handle(format::Cursor& c, Handle& h) { return c.varint(h.offset) && c.varint(h.size); }

// The checked contents of the block `h` names in the table [base, base + blocks_end).
std::string_view read_block(const GoFile& f, uint64_t base, uint64_t blocks_end, const Handle& h, const char* what) {
  if (h.offset > blocks_end || h.size > blocks_end - h.offset || kTrailerSize > blocks_end - h.offset - h.size) {
    f.corrupt(base, std::string(what) + " handle (" + std::to_string(h.offset) + ", " + std::to_string(h.size) +
                        ") lies outside the table's " + std::to_string(blocks_end) + " bytes of blocks");
  }
  const uint64_t at = base + h.offset;
  const std::string_view with_type(f.data + at, h.size + 1);
  if (with_type.back() != 0) {
    throw Error(Errc::unsupported, f.path, at + h.size,
                "Go ESDB file: " + std::string(what) + " has compression type " +
                    std::to_string(static_cast<uint8_t>(with_type.back())) + " (only 0, none, is written by Go ESDB)");
  }
  if (format::load_fixed32(f.data + at + h.size + 1) != masked_crc32c(with_type)) {
    f.corrupt(at, std::string(what) + " fails its CRC32C");
  }
  return with_type.substr(0, h.size);
}

// Calls fn(key, value, offset) for each entry of a checked block.
template <typename Fn>
void for_each_entry(const GoFile& f, uint64_t at, std::string_view block, const char* what, Fn&& fn) {
  if (block.size() < 4) f.corrupt(at, std::string(what) + " is shorter than its restart count");
  const uint64_t restarts = format::load_fixed32(block.data() + block.size() - 4);
  if (restarts == 0 || restarts > (block.size() - 4) / 4) {
    f.corrupt(at, std::string(what) + " claims " + std::to_string(restarts) + " restarts");
  }
  const std::string_view entries = block.substr(0, block.size() - 4 - 4 * restarts);
  format::Cursor c(entries);
  std::string key;
  while (!c.empty()) {
    const uint64_t entry_at = at + c.position();
    uint64_t shared, unshared, value_len;
    std::string_view suffix, value;
    if (!c.varint(shared) || !c.varint(unshared) || !c.varint(value_len) || shared > key.size() ||
        !c.bytes(unshared, suffix) || !c.bytes(value_len, value)) {
      f.corrupt(entry_at, std::string(what) + " has a malformed entry");
    }
    key.resize(shared);
    key.append(suffix);
    fn(key, value, entry_at);
  }
}

}  // namespace

std::vector<TableEntry> read_table(const GoFile& f, uint64_t offset, uint64_t length) {
  f.span(offset, length, 0, f.size, "table");
  if (length < kFooterSize) f.corrupt(offset, "table of " + std::to_string(length) + " bytes has no room for its footer");
  const uint64_t blocks_end = length - kFooterSize;
  const char* footer = f.data + offset + blocks_end;
  if (std::memcmp(footer + kFooterSize - 8, kMagic, 8) != 0) f.corrupt(offset + blocks_end, "bad table magic");
  format::Cursor fc(footer, footer + kFooterSize - 8);
  Handle meta, index;
  if (!decode_handle(fc, meta) || !decode_handle(fc, index)) f.corrupt(offset + blocks_end, "malformed table footer");
  read_block(f, offset, blocks_end, meta, "table metaindex block");
  const std::string_view index_block = read_block(f, offset, blocks_end, index, "table index block");

  std::vector<TableEntry> out;
  for_each_entry(f, offset + index.offset, index_block, "table index block",
                 [&](const std::string&, std::string_view value, uint64_t entry_at) {
                   format::Cursor hc(value);
                   Handle h;
                   if (!decode_handle(hc, h)) f.corrupt(entry_at, "malformed block handle in table index");
                   const std::string_view block = read_block(f, offset, blocks_end, h, "table data block");
                   for_each_entry(f, offset + h.offset, block, "table data block",
                                  [&](const std::string& key, std::string_view v, uint64_t at) {
                                    if (!out.empty() && !(out.back().key < key)) {
                                      f.corrupt(at, "table keys do not ascend");
                                    }
                                    out.push_back({key, v, at});
                                  });
                 });
  return out;
}

std::vector<TableEntry> read_trailing_table(const GoFile& f, uint64_t lo, uint64_t end, uint64_t& table_offset) {
  if (end < lo || end - lo < 8) f.corrupt(lo, "no room for a table length before offset " + std::to_string(end));
  const uint64_t length = format::load_fixed64(f.data + end - 8);
  if (length > end - 8 - lo) {
    f.corrupt(end - 8, "table length " + std::to_string(length) + " reaches before offset " + std::to_string(lo));
  }
  table_offset = end - 8 - length;
  return read_table(f, table_offset, length);
}

}  // namespace esdb::goesdb
