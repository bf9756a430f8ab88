// The subcommands. Each adds itself to the app with its flags and help and
// returns how to run it once the command line is parsed; running returns
// the exit code (cli_error.h) or throws CliError / esdb::Error.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace esdb::cli {

struct Command {
  CLI::App* app;
  std::function<int()> run;
};

Command add_build_command(CLI::App& app);
Command add_get_command(CLI::App& app);
Command add_scan_command(CLI::App& app);
Command add_keys_command(CLI::App& app);
Command add_info_command(CLI::App& app);
Command add_verify_command(CLI::App& app);
Command add_dump_command(CLI::App& app);
Command add_merge_command(CLI::App& app);
// Archive directories (esdb/archive.h).
Command add_ingest_command(CLI::App& app);
Command add_seal_command(CLI::App& app);
Command add_tail_command(CLI::App& app);
Command add_import_command(CLI::App& app);
Command add_completion_command(CLI::App& app);

}  // namespace esdb::cli
