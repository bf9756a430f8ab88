// esdb: the command-line face of the library. main() parses the command
// line, runs the chosen subcommand and turns every failure into a message
// on stderr and an exit code (cli_error.h); nothing escapes as a crash.
#include <cstdio>
#include <new>

#include "cli_error.h"
#include "commands.h"
#include "esdb/esdb.h"
#include "version.h"

namespace {

int run_guarded(const std::function<int()>& run) {
  using namespace esdb::cli;
  try {
    return run();
  } catch (const CliError& e) {
    if (*e.what()) std::fprintf(stderr, "esdb: %s\n", e.what());
    return e.exit_code();
  } catch (const esdb::Error& e) {
    std::fprintf(stderr, "esdb: %s\n", e.what());
    return kExitInput;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "esdb: out of memory\n");
    return kExitInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "esdb: %s\n", e.what());
    return kExitInput;
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace esdb::cli;
  CLI::App app{"esdb: immutable per-key event archives", "esdb"};
  app.set_version_flag("--version", version_text(), "Print the tool and format version");
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 not found or verify failed, 2 usage or input error.\n"
      "Run `esdb COMMAND --help` for a command's flags and examples.\n\n"
      "Example:\n"
      "  esdb build activity.esdb events.jsonl --key customer --time ts --index type\n"
      "  esdb get activity.esdb customer-1 --index type=purchase --reverse");
  const Command commands[] = {
      add_build_command(app), add_get_command(app),    add_scan_command(app), add_keys_command(app),
      add_info_command(app),  add_verify_command(app), add_dump_command(app), add_merge_command(app),
      add_ingest_command(app), add_seal_command(app), add_tail_command(app),
      add_import_command(app), add_completion_command(app),
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, the version, or the error
    return code == 0 ? kExitOk : kExitInput;
  }
  for (const Command& c : commands) {
    if (c.app->parsed()) return run_guarded(c.run);
  }
  return kExitInput;
}
