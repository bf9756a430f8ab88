#include "index_block.h"

#include "format/coding.h"
#include "format/format.h"

namespace esdb {

std::string parse_index_block(std::string_view payload, uint64_t event_count, std::vector<IndexRecord>& out) {
  out.clear();
  format::Cursor c(payload);
  uint64_t n;
  // An entry takes at least 7 bytes, which bounds the allocation below.
  if (!c.varint(n) || n == 0 || n > payload.size() / 7) return "bad index entry count";
  out.reserve(n);
  for (uint64_t i = 0; i < n; i++) {
    IndexRecord r;
    uint64_t where;
    // Built only on failure: a scan parses every entry of the key's block,
    // and formatting this eagerly was a quarter of an index scan's
    // instructions (BENCHMARKS.md, "idx against TrailDB").
    const auto at = [i] { return " (index entry " + std::to_string(i) + ")"; };
    if (!c.prefixed(r.name, format::kMaxIndexNameSize) || !c.prefixed(r.value, format::kMaxIndexValueSize) ||
        !c.varint(r.count) || !c.varint(r.first) || !c.varint(r.last) || !c.varint(where)) {
      return "index entry is truncated" + at();
    }
    r.deltas_len = where >> 1;
    r.external = where & 1;
    if (r.count == 0 || r.count > event_count || r.first > r.last || r.last >= event_count ||
        r.last - r.first < r.count - 1 || (r.count == 1) != (r.first == r.last) ||
        (r.count == 1) != (r.deltas_len == 0) || r.deltas_len < r.count - 1 ||
        r.deltas_len > 10 * (r.count - 1)) {
      return "index entry header is inconsistent" + at();
    }
    if (r.external) {
      if (!c.varint(r.external_offset)) return "index entry is truncated" + at();
    } else if (!c.bytes(r.deltas_len, r.inline_deltas)) {
      return "index entry is truncated" + at();
    }
    if (!out.empty() && (out.back().name > r.name || (out.back().name == r.name && out.back().value >= r.value))) {
      return "index entries are not sorted" + at();
    }
    out.push_back(r);
  }
  if (!c.empty()) return "index block has bytes left over";
  return "";
}

}  // namespace esdb
