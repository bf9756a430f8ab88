#include "goesdb/file_index.h"

#include <algorithm>

#include "format/coding.h"
#include "goesdb/table.h"

namespace esdb::goesdb {

std::vector<SpaceRef> read_file_index(const GoFile& f) {
  uint64_t table_offset = 0;
  const std::vector<TableEntry> entries = read_trailing_table(f, 0, f.size, table_offset);
  std::vector<SpaceRef> spaces;
  spaces.reserve(entries.size());
  for (const TableEntry& e : entries) {
    if (e.value.size() != 16) f.corrupt(e.offset, "file index value of " + std::to_string(e.value.size()) + " bytes, not 16");
    spaces.push_back({e.key, format::load_fixed64(e.value.data()), format::load_fixed64(e.value.data() + 8)});
  }
  std::vector<const SpaceRef*> by_offset;
  for (const SpaceRef& s : spaces) by_offset.push_back(&s);
  std::sort(by_offset.begin(), by_offset.end(), [](const SpaceRef* a, const SpaceRef* b) { return a->offset < b->offset; });
  uint64_t next = 0;
  for (const SpaceRef* s : by_offset) {
    if (s->offset != next || s->length > table_offset - next) {
      f.corrupt(s->offset < f.size ? s->offset : table_offset,
                "space \"" + s->key + "\" at " + std::to_string(s->offset) + " (+" + std::to_string(s->length) +
                    ") does not follow the previous space, which ends at " + std::to_string(next));
    }
    next += s->length;
  }
  if (next != table_offset) f.corrupt(next, "bytes between the last space and the file index");
  return spaces;
}

}  // namespace esdb::goesdb
