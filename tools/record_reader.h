// The records of one build input: lines from a LineReader, joined where a
// CSV field spans lines, parsed by the parser the input format calls for.
#pragma once

#include <string>

#include "csv_parser.h"
#include "dump_parser.h"
#include "input.h"
#include "record.h"
#include "record_parser.h"

namespace esdb::cli {

enum class InputFormat { json, csv, dump };

class RecordReader {
 public:
  // Opens the input; throws CliError if it cannot be opened.
  RecordReader(const std::string& path, InputFormat format, const FieldSpec& spec);

  enum class Status { record, bad, end };
  // The next record. On `bad` the record is skipped and error() says why,
  // as "file:line: what". Throws CliError when the input cannot go on: a
  // read error, an over-long line, or a CSV header that does not fit the spec.
  Status next(Record& out);

  const std::string& error() const { return error_; }
  const std::string& name() const { return lines_.name(); }
  uint64_t line() const { return line_; }  // where the last record began
  uint64_t bytes_read() const { return lines_.bytes_read(); }

 private:
  // Gathers the lines of the next non-blank record into `text`.
  bool next_text(std::string_view& text);

  LineReader lines_;
  InputFormat format_;
  JsonRecordParser json_;
  CsvRecordParser csv_;
  DumpRecordParser dump_;
  bool need_header_;
  std::string pending_;  // a CSV record continued over lines
  std::string error_;
  uint64_t line_ = 0;
};

}  // namespace esdb::cli
