// The filters and output flags `get` and `scan` share, and the printing of
// the events they select.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "esdb/esdb.h"
#include "json_out.h"
#include "output.h"

namespace esdb::cli {

struct ScanFlags {
  std::optional<std::string> group;
  std::optional<std::string> index;  // FIELD=VALUE
  std::optional<std::string> from, to;
  std::string time_unit = "s";
  bool reverse = false;
  std::optional<uint64_t> limit;
  std::string format = "data";

  void add_to(CLI::App& cmd);
  // Checks the values and builds the scan options, whose views point into
  // this object. Throws CliError (exit 2) on a bad value.
  ScanOptions resolve();

 private:
  std::string index_name_, index_value_;
};

// Prints events in the --format asked for, up to --limit.
class EventPrinter {
 public:
  EventPrinter(Output& out, const ScanFlags& flags);
  // Prints `e`; false once the limit is reached and nothing more may print.
  bool print(const Event& e);
  bool done() const { return limit_ && printed_ >= *limit_; }

 private:
  Output& out_;
  bool json_;
  std::optional<uint64_t> limit_;
  uint64_t printed_ = 0;
  EnvelopeWriter envelope_;
};

}  // namespace esdb::cli
