#include "json_batch_parser.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "json_text.h"

namespace esdb::cli {
namespace {

namespace od = simdjson::ondemand;

bool all_space(const char* p, const char* end) {
  for (; p < end; ++p) {
    if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') return false;
  }
  return true;
}

}  // namespace

bool JsonBatchParser::parse(size_t size, uint64_t first_line, RecordBatch& batch) {
  const size_t items = batch.items.size(), indexes = batch.indexes.size(), strings = batch.strings.size();
  if (parse_stream(size, first_line, batch)) return true;
  batch.items.resize(items);
  batch.indexes.resize(indexes);
  batch.strings.resize(strings);
  return false;
}

bool JsonBatchParser::parse_stream(size_t size, uint64_t first_line, RecordBatch& batch) {
  const char* text = batch.text.data();
  const char* end = text + size;
  // simdjson ends a number at a NUL (JsonText::load says why); the line
  // parser refuses the line, so the block goes to it.
  if (std::memchr(text, '\0', size) != nullptr) return false;
  // One stream batch for the whole block (a power of two, so the parser's
  // buffers are not reallocated for every slightly larger block).
  const size_t window = std::bit_ceil(std::max<size_t>(size, 64u << 10));
  od::document_stream stream;
  if (parser_.iterate_many(text, size, window).get(stream)) return false;

  // Views into the block live as long as the batch; others are copied.
  auto keep = [&](std::string_view s) {
    if (s.empty() || (s.data() >= text && s.data() + s.size() <= end)) return s;
    return batch.keep(std::string(s));
  };
  // Index names point into fields_, which may not outlive the batch.
  const std::vector<std::string>& names = fields_.index_names();
  std::vector<std::string_view> kept_names;
  for (const std::string& name : names) kept_names.push_back(batch.keep(name));
  auto keep_name = [&](std::string_view name) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i].data() == name.data()) return kept_names[i];
    }
    return batch.keep(std::string(name));
  };
  std::string error;
  const char* next_line = text;  // where the line after the last object begins
  uint64_t line = first_line;    // the number of the line at next_line
  for (auto it = stream.begin(); it != stream.end(); ++it) {
    // The first object's index is where the stream began, before any blank lines.
    const char* start = text + it.current_index();
    while (start < end && (*start == ' ' || *start == '\n' || *start == '\r' || *start == '\t')) ++start;
    // Between objects: blank lines only, and every object on a line of its own.
    if (start < next_line || start >= end || !all_space(next_line, start)) return false;
    line += static_cast<uint64_t>(std::count(next_line, start, '\n'));
    const char* nl = static_cast<const char*>(std::memchr(start, '\n', static_cast<size_t>(end - start)));
    if (nl == nullptr) return false;

    od::document_reference ref;
    od::object object;
    if ((*it).get(ref) || ref.get_object().get(object) || !fields_.read(object, true, found_, error)) return false;
    RecordBatch::Item item;
    item.line = line;
    item.time = found_.time;
    item.key = keep(found_.key);
    item.group = keep(found_.group);
    item.data = trim_json_space(std::string_view(start, static_cast<size_t>(nl - start)));
    item.index_begin = static_cast<uint32_t>(batch.indexes.size());
    item.index_count = static_cast<uint32_t>(found_.indexes.size());
    for (const auto& [name, value] : found_.indexes) batch.indexes.push_back({keep_name(name), keep(value)});
    batch.items.push_back(item);
    next_line = nl + 1;
    ++line;
  }
  // Whatever the stream did not hand out as an object (a truncated one, an
  // object spilling onto a later line) is not blank.
  return stream.truncated_bytes() == 0 && all_space(next_line, end);
}

}  // namespace esdb::cli
