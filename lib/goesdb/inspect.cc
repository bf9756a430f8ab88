#include "goesdb/inspect.h"

#include "goesdb/file_index.h"
#include "goesdb/space.h"

namespace esdb::goesdb {

GoFileReport inspect(const GoFile& f) {
  GoFileReport r;
  r.path = f.path;
  r.file_size = f.size;
  std::vector<SpaceRef> spaces;
  try {
    spaces = read_file_index(f);
  } catch (const Error& e) {
    if (e.code() == Errc::io) throw;
    r.problems.push_back({e.offset(), e.detail()});
    return r;
  }
  for (const SpaceRef& ref : spaces) {
    try {
      Space s(f, ref.key, ref.offset, ref.length);
      s.for_each_event([](const EventInput&) {});  // decodes every block the import would
      const SpaceCounts& c = s.counts();
      r.spaces++;
      r.events += c.events;
      r.groupings += c.groupings;
      r.index_sections += c.index_sections;
      r.index_entries += c.index_entries;
      r.data_bytes += c.data_bytes;
    } catch (const Error& e) {
      if (e.code() == Errc::io) throw;
      r.damaged_spaces++;
      r.problems.push_back({e.offset(), e.detail()});
    }
  }
  return r;
}

}  // namespace esdb::goesdb

namespace esdb {

GoFileReport inspect_goesdb(const std::string& path) {
  goesdb::MappedGoFile f(path);
  return goesdb::inspect(f.file());
}

}  // namespace esdb
