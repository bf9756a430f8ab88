#include "scan_flags.h"

#include "cli_error.h"
#include "time_parse.h"

namespace esdb::cli {

void ScanFlags::add_to(CLI::App& cmd) {
  cmd.add_option("--group", group, "Only events of this group");
  cmd.add_option("--index", index, "Only events indexed under FIELD=VALUE")->type_name("FIELD=VALUE");
  cmd.add_option("--from", from, "Only events at or after T (integer or RFC 3339)")->type_name("T");
  cmd.add_option("--to", to, "Only events before T (integer or RFC 3339)")->type_name("T");
  cmd.add_option("--time-unit", time_unit, "Unit RFC 3339 times in --from/--to are converted to")
      ->check(CLI::IsMember({"s", "ms", "us", "ns"}))
      ->capture_default_str();
  cmd.add_flag("--reverse", reverse, "Newest first");
  cmd.add_option("--limit", limit, "Print at most N events")->type_name("N");
  cmd.add_option("--format", format,
                 "data: each stored record on its own line; json: an envelope "
                 "{\"key\",\"time\",\"group\",\"data\"} per line (see `esdb dump --help`)")
      ->check(CLI::IsMember({"data", "json"}))
      ->capture_default_str();
}

ScanOptions ScanFlags::resolve() {
  ScanOptions options;
  const TimeUnit unit = *parse_time_unit(time_unit);  // checked by CLI11
  auto parse_bound = [&](const std::string& flag, const std::string& text) {
    int64_t t;
    std::string error;
    if (!parse_time(text, unit, t, error)) throw input_error(flag + ": " + error);
    return t;
  };
  if (from) options.from = parse_bound("--from", *from);
  if (to) options.to = parse_bound("--to", *to);
  if (group) options.group = *group;
  if (index) {
    const size_t eq = index->find('=');
    if (eq == std::string::npos) throw input_error("--index: expected FIELD=VALUE, got \"" + *index + "\"");
    index_name_ = index->substr(0, eq);
    index_value_ = index->substr(eq + 1);
    options.index = IndexEntry{index_name_, index_value_};
  }
  options.reverse = reverse;
  return options;
}

EventPrinter::EventPrinter(Output& out, const ScanFlags& flags)
    : out_(out), json_(flags.format == "json"), limit_(flags.limit) {}

bool EventPrinter::print(const Event& e) {
  if (done()) return false;
  if (json_) {
    envelope_.append(out_.buf(), e, false);
  } else {
    out_.buf() += e.data;
  }
  out_.end_line();
  ++printed_;
  return !done();
}

}  // namespace esdb::cli
