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
      "`FILE: offset N: what` and exits 1. A file that cannot be read at all exits 2.\n\n"
      "Example:\n"
      "  esdb verify activity.esdb && cp activity.esdb /archive/");
  return {cmd, [args] {
            Output out;
            std::optional<Reader> reader;
            try {
              reader = Reader::open(args->file);
            } catch (const Error& e) {
              if (e.code() == Errc::io) throw;  // missing or unreadable: not a verdict
              out.buf() += e.what();           // the file is damaged where open looks
              out.end_line();
              out.flush();
              return kExitNotFound;
            }
            const std::vector<Problem> problems = reader->verify();
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
