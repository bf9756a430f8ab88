// esdb dump FILE: every event with everything build needs to make it again.
#include "cli_error.h"
#include "commands.h"
#include "esdb/esdb.h"
#include "json_out.h"
#include "output.h"

namespace esdb::cli {

Command add_dump_command(CLI::App& app) {
  struct Args {
    std::string file;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("dump", "Print every event as a JSON envelope, with its index entries");
  cmd->add_option("FILE", args->file, "The esdb file")->required();
  cmd->footer(
      "One line per event, keys in stored order, each key's events in stored order:\n"
      "  {\"key\":K,\"time\":T,\"group\":G,\"data\":D,\"indexes\":[[NAME,VALUE],...]}\n"
      "T is the stored integer timestamp. Exact bytes survive every form:\n"
      "  - key and group are JSON strings when valid UTF-8, else \"key_b64\" / \"group_b64\"\n"
      "    hold the base64 (RFC 4648, padded) of the bytes;\n"
      "  - \"data\" is the stored bytes verbatim when they are one JSON text without line\n"
      "    breaks or surrounding whitespace (what build stores); other UTF-8 data is a\n"
      "    string in \"data_text\", anything else base64 in \"data_b64\";\n"
      "  - an index NAME or VALUE is a JSON string, or {\"b64\":\"...\"} when not UTF-8.\n"
      "build --from-dump reads these lines back, so this rebuilds an equivalent file:\n\n"
      "Example:\n"
      "  esdb dump old.esdb | esdb build new.esdb --from-dump");
  return {cmd, [args] {
            const Reader reader = Reader::open(args->file);
            Output out;
            EnvelopeWriter envelope;
            ScanOptions options;
            options.with_indexes = true;
            for (const Key& key : reader.keys()) {
              for (const Event& e : key.scan(options)) {
                envelope.append(out.buf(), e, true);
                out.end_line();
              }
            }
            out.flush();
            return kExitOk;
          }};
}

}  // namespace esdb::cli
