// Timestamps on the command line and in input records.
//
// esdb stores a timestamp as a plain signed 64-bit integer; the tool does not
// record its unit. `--time-unit s|ms|us|ns` (default s) says what an integer
// in the input means, and an integer is stored exactly as given. An RFC 3339
// string ("2014-06-23T14:48:43.5Z", "2014-06-23T16:48:43+02:00", or a bare
// date "2014-06-23" meaning midnight UTC) is converted to that unit, rounding
// toward the past when it carries more digits than the unit keeps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace esdb::cli {

enum class TimeUnit { s, ms, us, ns };

// "s", "ms", "us", "ns"; nullopt for anything else.
std::optional<TimeUnit> parse_time_unit(std::string_view name);

// Parses a decimal integer or an RFC 3339 time into `out`. On failure
// returns false and says why in `error`. Never throws.
bool parse_time(std::string_view text, TimeUnit unit, int64_t& out, std::string& error);

// Parses an optionally signed decimal integer that fills all of `text`.
bool parse_int64(std::string_view text, int64_t& out);

}  // namespace esdb::cli
