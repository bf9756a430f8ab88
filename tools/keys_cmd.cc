// esdb keys FILE...: every key, in stored order; a key in several files is
// printed once (with --counts, its events in all of them).
#include <charconv>

#include "cli_error.h"
#include "commands.h"
#include "esdb/esdb.h"
#include "file_args.h"
#include "output.h"

namespace esdb::cli {

Command add_keys_command(CLI::App& app) {
  struct Args {
    std::vector<std::string> files;
    bool counts = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("keys", "Print every key, one per line");
  cmd->add_option("FILE", args->files, "The esdb files, or quoted glob patterns (expanded sorted)")->required();
  cmd->add_flag("--counts", args->counts, "Follow each key with a tab and its number of events");
  cmd->footer(
      "Keys are printed as their raw bytes, in stored (byte-wise sorted) order. With several\n"
      "files each key is printed once and --counts adds up its events in all of them.\n\n"
      "Examples:\n"
      "  esdb keys activity.esdb --counts | sort -t$'\\t' -k2,2nr | head\n"
      "  esdb keys 'days/*.esdb' | wc -l");
  return {cmd, [args] {
            const std::vector<std::string> files = expand_file_args(args->files);
            Output out;
            // `keys` is a KeyRange, a MultiKeyRange or a DirKeyRange.
            auto print = [&](const auto& keys) {
              for (const auto& key : keys) {
                std::string& buf = out.buf();
                buf += key.name();
                if (args->counts) {
                  char digits[24];
                  buf += '\t';
                  buf.append(digits, std::to_chars(digits, digits + sizeof digits, key.event_count()).ptr);
                }
                out.end_line();
              }
            };
            for_keys_of(files, print);
            out.flush();
            return kExitOk;
          }};
}

}  // namespace esdb::cli
