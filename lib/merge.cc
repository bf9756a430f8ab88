// esdb::merge: the files' keys are already sorted and each key's merged scan
// is in file order, so the events stream into a sorted_input Writer with no
// sort buffer: memory does not grow with the inputs.

#include <unordered_set>

#include "esdb/esdb.h"
#include "format/checksum.h"

namespace esdb {

FileStats merge(const std::vector<std::string>& inputs, const std::string& output, const WriterOptions& options,
                const MergeOptions& merge_options) {
  MultiReader readers = MultiReader::open(inputs);
  WriterOptions o = options;
  o.sorted_input = true;
  Writer w = Writer::create(output, o);
  EventInput in;
  // Dedupe: events equal in (key, group, timestamp) are adjacent in the
  // merged scan; remember the data of that run to drop repeats.
  std::unordered_set<std::string> run_data;
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
          run_group.assign(e.group);
          run_ts = e.timestamp;
          first = false;
        }
        if (!run_data.emplace(e.data).second) continue;
      }
      in.key = k.name();
      in.timestamp = e.timestamp;
      in.data = e.data;
      in.group = e.group;
      in.indexes.assign(e.indexes.begin(), e.indexes.end());
      w.add(in);
    }
  }
  return w.finish();
}

}  // namespace esdb
