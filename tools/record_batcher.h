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

// Parses the JSON lines RecordBatcher::read() left in a batch. Parsing is
// most of the reading work, and a block's lines need nothing from the
// blocks before them, so each parsing thread has its own BatchParser.
class BatchParser {
 public:
  explicit BatchParser(const FieldSpec& spec) : bulk_(spec), single_(spec) {}
  // Fills `batch` with the records of its unparsed lines, if any.
  void parse(RecordBatch& batch);

 private:
  void parse_lines(RecordBatch& batch);

  JsonBatchParser bulk_;
  JsonRecordParser single_;
  Record record_;
};

class RecordBatcher {
 public:
  // Opens the input; throws CliError if it cannot be opened.
  RecordBatcher(const std::string& path, InputFormat format, const FieldSpec& spec);

  // Clears `batch` and fills it with the next records; false at the end of
  // the input. Throws CliError when the input cannot go on (as RecordReader).
  bool next(RecordBatch& batch) {
    if (!read(batch)) return false;
    parser_.parse(batch);
    return true;
  }
  // As next(), but JSON lines are left for a BatchParser (batch.unparsed).
  bool read(RecordBatch& batch);

  uint64_t bytes_read() const { return lines_ ? lines_->bytes_read() : reader_->bytes_read(); }

 private:
  bool read_json(RecordBatch& batch);
  bool next_records(RecordBatch& batch);

  BatchParser parser_;
  // JSON lines.
  std::optional<LineReader> lines_;
  // CSV and dumps.
  std::optional<RecordReader> reader_;
  Record record_;
};

}  // namespace esdb::cli
