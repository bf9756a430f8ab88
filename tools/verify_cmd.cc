// esdb verify FILE: every checksum and invariant, via Reader::verify().
#include "cli_error.h"
#include "commands.h"
#include "esdb/esdb.h"
#include "output.h"

namespace esdb::cli {

Command add_verify_command(CLI::App& app) {
  struct Args {
    std::string file;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("verify", "Check every checksum and invariant of a file");
  cmd->add_option("FILE", args->file, "The esdb file")->required();
  cmd->footer(
      "Prints `ok` and exits 0 for a sound file; otherwise prints each problem as\n"
      "`FILE: offset N: what` and exits 1. A file that cannot be opened at all (missing,\n"
      "not an esdb file, a damaged footer, a newer format version) exits 2 with the\n"
      "reason on stderr, as the reading commands do.\n\n"
      "Example:\n"
      "  esdb verify activity.esdb && cp activity.esdb /archive/");
  return {cmd, [args] {
            Output out;
            const Reader reader = Reader::open(args->file);  // throws: exit 2, like get
            const std::vector<Problem> problems = reader.verify();
            for (const Problem& p : problems) {
              out.buf() += args->file + ": offset " + std::to_string(p.offset) + ": " + p.what;
              out.end_line();
            }
            if (problems.empty()) {
              out.buf() += "ok";
              out.end_line();
            }
            out.flush();
            return problems.empty() ? kExitOk : kExitNotFound;
          }};
}

}  // namespace esdb::cli
