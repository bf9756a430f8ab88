// esdb::merge: the files' keys are already sorted and each key's merged scan
// is in file order, so the events stream into a sorted_input Writer with no
// sort buffer: memory does not grow with the inputs. The one thing held is
// dedupe's set of the data seen at the current (key, group, timestamp),
// bounded by the memory budget.

#include <unordered_set>

#include "esdb/esdb.h"
#include "format/checksum.h"

namespace esdb {
namespace {

// What one remembered datum costs besides its bytes: the string and the
// hash set's node and bucket, roughly.
constexpr size_t kDedupeEntryOverhead = 64;
// Events between progress calls: a clock read per call stays negligible.
constexpr uint64_t kProgressEvery = 4096;

}  // namespace

FileStats merge(const std::vector<std::string>& inputs, const std::string& output, const WriterOptions& options,
                const MergeOptions& merge_options) {
  MultiReader readers = MultiReader::open(inputs);
  WriterOptions o = options;
  o.sorted_input = true;
  Writer w = Writer::create(output, o);
  EventInput in;
  uint64_t events = 0, data_bytes = 0;
  // Dedupe: events equal in (key, group, timestamp) are adjacent in the
  // merged scan; remember the data of that run to drop repeats.
  std::unordered_set<std::string> run_data;
  size_t run_bytes = 0;
  std::string run_group;
  int64_t run_ts = 0;
  for (const MultiKey& k : readers.keys()) {
    run_data.clear();
    bool first = true;
    ScanOptions all;
    all.with_indexes = true;
    for (const Event& e : k.scan(all)) {
      if (merge_options.dedupe) {
        if (first || e.group != run_group || e.timestamp != run_ts) {
          run_data.clear();
          run_bytes = 0;
          run_group.assign(e.group);
          run_ts = e.timestamp;
          first = false;
        }
        if (!run_data.emplace(e.data).second) continue;
        run_bytes += e.data.size() + kDedupeEntryOverhead;
        if (run_bytes > options.memory_budget) {
          throw Error(Errc::invalid_argument, output, Error::kNoOffset,
                      "dedupe: the events of key \"" + std::string(k.name().substr(0, 200)) + "\" at time " +
                          std::to_string(e.timestamp) + " hold more distinct data than the memory budget of " +
                          std::to_string(options.memory_budget) + " bytes; raise the budget");
        }
      }
      in.key = k.name();
      in.timestamp = e.timestamp;
      in.data = e.data;
      in.group = e.group;
      in.indexes.assign(e.indexes.begin(), e.indexes.end());
      w.add(in);
      data_bytes += e.data.size();
      if (++events % kProgressEvery == 0 && merge_options.progress) merge_options.progress(events, data_bytes);
    }
  }
  FileStats stats = w.finish();
  if (merge_options.progress) merge_options.progress(events, data_bytes);
  return stats;
}

}  // namespace esdb
