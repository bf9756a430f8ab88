// Reading and parsing build's inputs beside the thread that adds their
// records to the Writer: kParsers threads take turns reading the next block
// of an input and parse their blocks at the same time (parsing JSON is most
// of the work), handing batches over through a bounded queue, so parsing
// overlaps the Writer's buffering, sorting and spilling. The batches come out
// in input order whatever the timing, so the file's bytes do not depend on
// it. Memory: kPipelineDepth batches per parser (each about
// LineReader::kBlockSize of input and its parsed records), reused, beyond
// the Writer's own budget.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "record.h"
#include "record_batch.h"
#include "record_reader.h"

namespace esdb::cli {

inline constexpr size_t kPipelineDepth = 4;
inline constexpr size_t kParsers = 2;

// Calls `consume` with every batch of `inputs`, in order. With `threaded`
// the inputs are read and parsed on kParsers threads; otherwise on this one.
// An exception from reading (CliError) reaches the caller after the batches
// before it were consumed; one from `consume` stops the reading thread.
void for_each_batch(const std::vector<std::string>& inputs, InputFormat format, const FieldSpec& spec,
                    bool threaded, const std::function<void(const RecordBatch&)>& consume);

}  // namespace esdb::cli
