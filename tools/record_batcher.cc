#include "record_batcher.h"

#include <cstring>

namespace esdb::cli {

// Records per batch from RecordReader: enough to make handing a batch over
// cheap, few enough to keep the batches in flight small.
static constexpr size_t kRecordsPerBatch = 8192;

RecordBatcher::RecordBatcher(const std::string& path, InputFormat format, const FieldSpec& spec) : parser_(spec) {
  if (format == InputFormat::json) {
    lines_.emplace(path);
  } else {
    reader_.emplace(path, format, spec);
  }
}

bool RecordBatcher::read(RecordBatch& batch) {
  batch.clear();
  return lines_ ? read_json(batch) : next_records(batch);
}

bool RecordBatcher::read_json(RecordBatch& batch) {
  batch.name = lines_->name();
  batch.first_line = lines_->line_number() + 1;
  if (!lines_->next_block(batch.text, batch.text_size, simdjson::SIMDJSON_PADDING)) return false;
  batch.unparsed = true;
  batch.bytes_read = lines_->bytes_read();
  return true;
}

void BatchParser::parse(RecordBatch& batch) {
  if (!batch.unparsed) return;
  batch.unparsed = false;
  if (!bulk_.parse(batch.text_size, batch.first_line, batch)) parse_lines(batch);
}

// The slow path, for a block with a bad (or unusual) line: exactly what
// RecordReader does with each line.
void BatchParser::parse_lines(RecordBatch& batch) {
  const char* p = batch.text.data();
  const char* end = p + batch.text_size;
  std::string why;
  for (uint64_t line = batch.first_line; p < end; ++line) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    if (nl == nullptr) nl = end;
    std::string_view text(p, static_cast<size_t>(nl - p));
    p = nl + 1;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (trim_json_space(text).empty()) continue;
    if (single_.parse(text, record_, why)) {
      batch.add(line, std::move(record_));
    } else {
      batch.add_bad(line, batch.name + ":" + std::to_string(line) + ": " + why);
    }
  }
}

bool RecordBatcher::next_records(RecordBatch& batch) {
  batch.name = reader_->name();
  uint64_t bytes = 0;
  while (batch.items.size() < kRecordsPerBatch && bytes < LineReader::kBlockSize) {
    const RecordReader::Status status = reader_->next(record_);
    if (status == RecordReader::Status::end) break;
    if (status == RecordReader::Status::bad) {
      batch.add_bad(reader_->line(), reader_->error());
      continue;
    }
    bytes += record_.data.size();
    batch.add(reader_->line(), std::move(record_));
  }
  batch.bytes_read = reader_->bytes_read();
  return !batch.items.empty();
}

}  // namespace esdb::cli
