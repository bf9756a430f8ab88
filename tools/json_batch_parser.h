// JSON lines in bulk: a block of many whole lines goes through simdjson's
// document stream (iterate_many) in one go. Stage 1 (structure and UTF-8)
// runs once over the block instead of once per line, and each object is
// validated and its roles extracted in the same On-Demand walk
// (json_fields.h), instead of a DOM parse followed by a second walk.
//
// A block is taken only whole: if any line is bad, or is not exactly one
// object, or the stream cannot say, parse() takes nothing and the caller
// parses that block line by line with JsonRecordParser, which names the
// line and the error as it always did. Data and plain strings stay views
// into the block; only escaped strings are copied.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>

#include "json_fields.h"
#include "record.h"
#include "record_batch.h"

namespace esdb::cli {

class JsonBatchParser {
 public:
  explicit JsonBatchParser(FieldSpec spec) : fields_(std::move(spec)) {}

  // Appends one record per non-blank line of `batch.text[0, size)` (whole
  // lines, the last ending in '\n', followed by simdjson::SIMDJSON_PADDING
  // readable bytes), the first being line `first_line`. False, with the
  // batch as it was, when the block must be parsed line by line instead.
  bool parse(size_t size, uint64_t first_line, RecordBatch& batch);

 private:
  bool parse_stream(size_t size, uint64_t first_line, RecordBatch& batch);

  JsonFieldReader fields_;
  JsonFields found_;
  simdjson::ondemand::parser parser_;
};

}  // namespace esdb::cli
