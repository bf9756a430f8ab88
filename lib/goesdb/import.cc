// esdb::import_goesdb: every input is opened and its file index checked
// before the output is created; then space by space, the Go events go through
// the ordinary Writer, which sorts them with bounded memory. Only one space's
// record positions and index postings are held at a time (32 bytes per
// event, 16 per index entry), never its data.
#include <memory>

#include "esdb/esdb.h"
#include "goesdb/file_index.h"
#include "goesdb/go_file.h"
#include "goesdb/space.h"

namespace esdb {

FileStats import_goesdb(const std::vector<std::string>& inputs, const std::string& output,
                        const WriterOptions& options) {
  std::vector<std::unique_ptr<goesdb::MappedGoFile>> files;
  std::vector<std::vector<goesdb::SpaceRef>> spaces;
  for (const std::string& path : inputs) {
    files.push_back(std::make_unique<goesdb::MappedGoFile>(path));
    spaces.push_back(goesdb::read_file_index(files.back()->file()));
  }
  Writer w = Writer::create(output, options);
  for (size_t i = 0; i < files.size(); i++) {
    for (const goesdb::SpaceRef& ref : spaces[i]) {
      goesdb::Space s(files[i]->file(), ref.key, ref.offset, ref.length);
      s.for_each_event([&](const EventInput& e) { w.add(e); });
    }
  }
  return w.finish();
}

}  // namespace esdb
