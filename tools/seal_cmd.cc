// esdb seal DIR: seal the archive directory's open log into an esdb file
// (after settling whatever a crash left), so DIR holds only sealed files
// and an empty log.
#include <cstdio>

#include "cli_error.h"
#include "commands.h"
#include "esdb/archive.h"

namespace esdb::cli {

Command add_seal_command(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("seal", "Seal an archive directory's log into an esdb file");
  cmd->add_option("DIR", *dir, "The archive directory")->required();
  cmd->footer(
      "Fails (exit 2) while `esdb ingest` has the directory open.\n\n"
      "Example:\n"
      "  esdb seal archive/ && esdb get archive/ customer-1");
  return {cmd, [dir] {
            if (!is_archive_dir(*dir)) throw input_error(*dir + ": not a directory");
            Archive a = Archive::open(*dir);
            for (const std::string& n : a.notes()) std::fprintf(stderr, "esdb: %s\n", n.c_str());
            const std::string sealed = a.roll();
            a.close();
            std::printf("%s\n", sealed.empty() ? "nothing to seal" : sealed.c_str());
            return kExitOk;
          }};
}

}  // namespace esdb::cli
