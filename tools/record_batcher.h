// The records of one build input, a batch at a time: JSON lines are read in
// blocks of whole lines and parsed in bulk (json_batch_parser.h), a block
// with a bad line line by line; CSV and dumps go through RecordReader.
// Every record, good or bad, keeps its line number, so a batch says the
// same "file:line: what" a record-at-a-time reader would.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "input.h"
#include "json_batch_parser.h"
#include "record.h"
#include "record_batch.h"
#include "record_parser.h"
#include "record_reader.h"

namespace esdb::cli {

class RecordBatcher {
 public:
  // Opens the input; throws CliError if it cannot be opened.
  RecordBatcher(const std::string& path, InputFormat format, const FieldSpec& spec);

  // Clears `batch` and fills it with the next records; false at the end of
  // the input. Throws CliError when the input cannot go on (as RecordReader).
  bool next(RecordBatch& batch);

  uint64_t bytes_read() const { return lines_ ? lines_->bytes_read() : reader_->bytes_read(); }

 private:
  bool next_json(RecordBatch& batch);
  void parse_lines(size_t size, uint64_t first_line, RecordBatch& batch);
  bool next_records(RecordBatch& batch);

  // JSON lines.
  std::optional<LineReader> lines_;
  std::optional<JsonBatchParser> bulk_;
  std::optional<JsonRecordParser> single_;
  Record record_;
  // CSV and dumps.
  std::optional<RecordReader> reader_;
};

}  // namespace esdb::cli
