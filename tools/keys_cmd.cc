// esdb keys FILE: every key, in stored order.
#include <charconv>

#include "cli_error.h"
#include "commands.h"
#include "esdb/esdb.h"
#include "output.h"

namespace esdb::cli {

Command add_keys_command(CLI::App& app) {
  struct Args {
    std::string file;
    bool counts = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("keys", "Print every key, one per line");
  cmd->add_option("FILE", args->file, "The esdb file")->required();
  cmd->add_flag("--counts", args->counts, "Follow each key with a tab and its number of events");
  cmd->footer(
      "Keys are printed as their raw bytes, in stored (byte-wise sorted) order.\n\n"
      "Example:\n"
      "  esdb keys activity.esdb --counts | sort -t$'\\t' -k2,2nr | head");
  return {cmd, [args] {
            const Reader reader = Reader::open(args->file);
            Output out;
            for (const Key& key : reader.keys()) {
              std::string& buf = out.buf();
              buf += key.name();
              if (args->counts) {
                char digits[24];
                buf += '\t';
                buf.append(digits, std::to_chars(digits, digits + sizeof digits, key.event_count()).ptr);
              }
              out.end_line();
            }
            out.flush();
            return kExitOk;
          }};
}

}  // namespace esdb::cli
