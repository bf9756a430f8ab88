// esdb merge OUT IN...: one file with the events of all inputs. Every event
// goes through one Writer, which orders each key's events by (group,
// timestamp, order of add); adding the inputs in command-line order is what
// keeps equal timestamps in input order.
#include "cli_error.h"
#include "commands.h"
#include "esdb/esdb.h"
#include "output_file.h"
#include "progress.h"

namespace esdb::cli {

Command add_merge_command(CLI::App& app) {
  struct Args {
    std::string out;
    std::vector<std::string> inputs;
    bool force = false, quiet = false;
    size_t memory_mib = 256;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("merge", "Merge esdb files into one");
  cmd->add_option("OUT", a->out, "The file to create")->required();
  cmd->add_option("IN", a->inputs, "The files to merge")->required();
  cmd->add_flag("--force", a->force, "Replace OUT if it exists");
  cmd->add_flag("-q,--quiet", a->quiet, "No progress on stderr");
  cmd->add_option("--memory", a->memory_mib, "Buffer this many MiB of events before spilling sorted runs")
      ->type_name("MIB")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20))
      ->capture_default_str();
  cmd->footer(
      "Within a key, events are ordered by group and timestamp; equal timestamps keep\n"
      "the order of the inputs on the command line. Index entries are carried over.\n\n"
      "Example:\n"
      "  esdb merge 2014.esdb 2014-h1.esdb 2014-h2.esdb");
  return {cmd, [a] {
            // Open every input first: a bad one should fail before any work.
            std::vector<Reader> readers;
            for (const std::string& path : a->inputs) readers.push_back(Reader::open(path));
            Writer writer = create_output(a->out, a->force, a->memory_mib);
            Progress progress(a->quiet);
            ScanOptions scan;
            scan.with_indexes = true;
            EventInput in;
            uint64_t events = 0, bytes = 0;
            for (const Reader& reader : readers) {
              for (const Key& key : reader.keys()) {
                for (const Event& e : key.scan(scan)) {
                  in.key = key.name();
                  in.timestamp = e.timestamp;
                  in.data = e.data;
                  in.group = e.group;
                  in.indexes.assign(e.indexes.begin(), e.indexes.end());
                  writer.add(in);
                  bytes += e.data.size();
                  progress.update(++events, bytes);
                }
              }
            }
            writer.finish();
            progress.finish(events, bytes);
            return kExitOk;
          }};
}

}  // namespace esdb::cli
