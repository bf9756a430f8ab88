#include "time_parse.h"

#include <charconv>

namespace esdb::cli {
namespace {

struct UnitInfo {
  int64_t per_second;
  int digits;  // fraction digits the unit keeps
};

UnitInfo unit_info(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::s: return {1, 0};
    case TimeUnit::ms: return {1000, 3};
    case TimeUnit::us: return {1000000, 6};
    case TimeUnit::ns: return {1000000000, 9};
  }
  return {1, 0};
}

// Reads exactly `n` digits at `pos`.
bool read_digits(std::string_view s, size_t& pos, int n, int& value) {
  if (pos + n > s.size()) return false;
  value = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool parse_rfc3339(std::string_view s, TimeUnit unit, int64_t& out, std::string& error) {
  size_t pos = 0;
  int year, month, day, hour = 0, minute = 0, second = 0, offset = 0;
  if (!read_digits(s, pos, 4, year) || !expect(s, pos, '-') || !read_digits(s, pos, 2, month) ||
      !expect(s, pos, '-') || !read_digits(s, pos, 2, day)) {
    error = "expected an integer or an RFC 3339 time, got \"" + std::string(s.substr(0, 64)) + "\"";
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) {
    error = "no such date: " + std::string(s.substr(0, 10));
    return false;
  }
  const UnitInfo info = unit_info(unit);
  int64_t fraction = 0;  // in units
  if (pos < s.size()) {
    const char sep = s[pos++];
    if ((sep != 'T' && sep != 't' && sep != ' ') || !read_digits(s, pos, 2, hour) ||
        !expect(s, pos, ':') || !read_digits(s, pos, 2, minute) || !expect(s, pos, ':') ||
        !read_digits(s, pos, 2, second) || hour > 23 || minute > 59 || second > 60) {
      error = "bad RFC 3339 time of day in \"" + std::string(s.substr(0, 64)) + "\"";
      return false;
    }
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      int kept = 0;
      const size_t start = pos;
      for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos) {
        if (kept < info.digits) fraction = fraction * 10 + (s[pos] - '0'), ++kept;
      }
      if (pos == start) {
        error = "empty fraction of a second in \"" + std::string(s.substr(0, 64)) + "\"";
        return false;
      }
      for (; kept < info.digits; ++kept) fraction *= 10;
    }
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
      ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
      const int sign = s[pos++] == '-' ? -1 : 1;
      int oh, om;
      if (!read_digits(s, pos, 2, oh) || !expect(s, pos, ':') || !read_digits(s, pos, 2, om) ||
          oh > 23 || om > 59) {
        error = "bad UTC offset in \"" + std::string(s.substr(0, 64)) + "\"";
        return false;
      }
      offset = sign * (oh * 3600 + om * 60);
    } else {
      error = "RFC 3339 time needs a zone (Z or +HH:MM) in \"" + std::string(s.substr(0, 64)) + "\"";
      return false;
    }
    if (pos != s.size()) {
      error = "trailing characters after RFC 3339 time \"" + std::string(s.substr(0, 64)) + "\"";
      return false;
    }
  }
  const int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
                          second - offset;
  int64_t scaled;
  if (__builtin_mul_overflow(seconds, info.per_second, &scaled) ||
      __builtin_add_overflow(scaled, fraction, &out)) {
    error = "time \"" + std::string(s.substr(0, 64)) + "\" does not fit 64 bits in this unit";
    return false;
  }
  return true;
}

}  // namespace

std::optional<TimeUnit> parse_time_unit(std::string_view name) {
  if (name == "s") return TimeUnit::s;
  if (name == "ms") return TimeUnit::ms;
  if (name == "us") return TimeUnit::us;
  if (name == "ns") return TimeUnit::ns;
  return std::nullopt;
}

bool parse_int64(std::string_view text, int64_t& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

bool parse_time(std::string_view text, TimeUnit unit, int64_t& out, std::string& error) {
  if (parse_int64(text, out)) return true;
  // A 4-digit year followed by '-' is a date; any other digits are a bad integer.
  if (text.size() > 4 && text[4] == '-') return parse_rfc3339(text, unit, out, error);
  error = "expected an integer or an RFC 3339 time, got \"" + std::string(text.substr(0, 64)) + "\"";
  return false;
}

}  // namespace esdb::cli
