// esdb import OUT IN...: files of the original Go ESDB (customerio/esdb) into
// one esdb file, via the library's import_goesdb; --verify-only reports what
// each Go file holds via inspect_goesdb and writes nothing.
#include <cstdio>

#include "cli_error.h"
#include "commands.h"
#include "esdb/esdb.h"
#include "file_args.h"
#include "memory_flag.h"
#include "output.h"

namespace esdb::cli {
namespace {

// One summary line per file, then its problems as `FILE: offset N: what`.
int verify_only(const std::vector<std::string>& inputs) {
  Output out;
  bool damaged = false;
  for (const std::string& path : inputs) {
    const GoFileReport r = inspect_goesdb(path);
    out.buf() += path + ": " + std::to_string(r.spaces) + " spaces, " + std::to_string(r.events) + " events, " +
                 std::to_string(r.groupings) + " groupings, " + std::to_string(r.index_sections) +
                 " index sections, " + std::to_string(r.index_entries) + " index entries, " +
                 std::to_string(r.data_bytes) + " data bytes, " + std::to_string(r.damaged_spaces) +
                 " damaged spaces";
    out.end_line();
    for (const Problem& p : r.problems) {
      out.buf() += path + ": offset " + std::to_string(p.offset) + ": " + p.what;
      out.end_line();
    }
    damaged = damaged || !r.problems.empty();
  }
  out.flush();
  return damaged ? kExitNotFound : kExitOk;
}

}  // namespace

Command add_import_command(CLI::App& app) {
  struct Args {
    std::vector<std::string> files;
    bool force = false, quiet = false, verify_only = false;
    std::string memory = "64M";
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("import", "Import files written by the Go ESDB (customerio/esdb)");
  cmd->add_option("FILES", a->files,
                  "OUT, the esdb file to create, then IN..., the Go ESDB files (or quoted glob patterns); "
                  "with --verify-only, only Go ESDB files")
      ->required();
  cmd->add_flag("--verify-only", a->verify_only,
                "Write nothing: print what each Go file holds and any damage (exit 1 if damaged)");
  cmd->add_flag("--force", a->force, "Replace OUT if it exists");
  cmd->add_flag("-q,--quiet", a->quiet, "No summary on stderr");
  add_memory_option(*cmd, a->memory, "Sort buffer before spilling to temporary files (512K, 256M, 1G; a plain number is MiB)");
  cmd->footer(
      "Every event keeps its key (space), grouping (as group), data, index entries\n"
      "(name:value, split at the first ':') and timestamp, which Go ESDB stored as\n"
      "unsigned 32-bit seconds. Within a key and group, events come oldest first;\n"
      "equal timestamps in the reverse of the order the Go writer was given them.\n"
      "Any damage stops the import with the file and offset; nothing appears at OUT.\n\n"
      "Examples:\n"
      "  esdb import activity.esdb old/activity.goesdb\n"
      "  esdb import --verify-only 'old/*.goesdb'");
  return {cmd, [a] {
            if (a->verify_only) return verify_only(expand_file_args(a->files));
            if (a->files.size() < 2) throw input_error("import needs OUT and at least one Go ESDB file");
            const std::vector<std::string> inputs =
                expand_file_args(std::vector<std::string>(a->files.begin() + 1, a->files.end()));
            const std::string& out = a->files.front();
            WriterOptions options;
            options.overwrite = a->force;
            options.memory_budget = memory_bytes(a->memory);
            FileStats s;
            try {
              s = import_goesdb(inputs, out, options);
            } catch (const Error& e) {
              if (e.code() != Errc::exists) throw;
              throw input_error(out + ": exists; pass --force to replace it");
            }
            if (!a->quiet) {
              std::fprintf(stderr, "esdb: imported %llu events of %llu keys from %zu file%s into %s\n",
                           static_cast<unsigned long long>(s.event_count), static_cast<unsigned long long>(s.key_count),
                           inputs.size(), inputs.size() == 1 ? "" : "s", out.c_str());
            }
            return kExitOk;
          }};
}

}  // namespace esdb::cli
