#include "csv_parser.h"

#include <algorithm>

#include "json_out.h"

namespace esdb::cli {

CsvRecordParser::CsvRecordParser(FieldSpec spec) : spec_(std::move(spec)) {
  std::sort(spec_.indexes.begin(), spec_.indexes.end());
  spec_.indexes.erase(std::unique(spec_.indexes.begin(), spec_.indexes.end()), spec_.indexes.end());
}

bool CsvRecordParser::is_complete(std::string_view text) {
  return std::count(text.begin(), text.end(), '"') % 2 == 0;
}

int CsvRecordParser::split(std::string_view rec, std::string& error) {
  int count = 0;
  size_t i = 0;
  const size_t n = rec.size();
  while (true) {
    if (count == static_cast<int>(fields_.size())) fields_.emplace_back();
    std::string& field = fields_[count++];
    field.clear();
    if (i < n && rec[i] == '"') {
      ++i;
      while (true) {
        const size_t quote = rec.find('"', i);
        if (quote == std::string_view::npos) {
          error = "column " + std::to_string(count) + ": unterminated quoted field";
          return -1;
        }
        field.append(rec.substr(i, quote - i));
        i = quote + 1;
        if (i < n && rec[i] == '"') {  // "" is one quote
          field += '"';
          ++i;
          continue;
        }
        break;
      }
      if (i < n && rec[i] != ',') {
        error = "column " + std::to_string(count) + ": unexpected character after closing quote";
        return -1;
      }
    } else {
      const size_t end = std::min(rec.find(',', i), n);
      const std::string_view raw = rec.substr(i, end - i);
      if (raw.find('"') != std::string_view::npos) {
        error = "column " + std::to_string(count) + ": quote inside an unquoted field";
        return -1;
      }
      field.assign(raw);
      i = end;
    }
    if (i >= n) return count;
    ++i;  // the ','
  }
}

bool CsvRecordParser::set_header(std::string_view record, std::string& error) {
  if (!is_utf8(record)) {
    error = "header is not valid UTF-8";
    return false;
  }
  const int n = split(record, error);
  if (n < 0) return false;
  header_.assign(fields_.begin(), fields_.begin() + n);
  std::vector<std::string> sorted = header_;
  std::sort(sorted.begin(), sorted.end());
  if (auto dup = std::adjacent_find(sorted.begin(), sorted.end()); dup != sorted.end()) {
    error = "column \"" + *dup + "\" appears twice in the header";
    return false;
  }
  auto column = [&](const std::string& name, int& col) {
    const auto it = std::find(header_.begin(), header_.end(), name);
    if (it == header_.end()) {
      error = "no column \"" + name + "\" in the header";
      return false;
    }
    col = static_cast<int>(it - header_.begin());
    return true;
  };
  if (!column(spec_.key, key_col_) || !column(spec_.time, time_col_)) return false;
  group_col_ = -1;
  if (!spec_.group.empty() && !column(spec_.group, group_col_)) return false;
  index_cols_.assign(spec_.indexes.size(), -1);
  for (size_t i = 0; i < spec_.indexes.size(); ++i) {
    if (!column(spec_.indexes[i], index_cols_[i])) return false;
  }
  return true;
}

bool CsvRecordParser::parse(std::string_view record, Record& out, std::string& error) {
  out.clear();
  if (header_.empty()) {
    error = "no header row";
    return false;
  }
  if (!is_utf8(record)) {
    error = "row is not valid UTF-8";
    return false;
  }
  const int n = split(record, error);
  if (n < 0) return false;
  if (n != static_cast<int>(header_.size())) {
    error = "row has " + std::to_string(n) + " fields, the header has " + std::to_string(header_.size());
    return false;
  }
  if (fields_[key_col_].empty()) {
    error = "key column \"" + spec_.key + "\" is empty";
    return false;
  }
  out.key = fields_[key_col_];
  std::string why;
  if (!parse_time(fields_[time_col_], spec_.unit, out.time, why)) {
    error = "time column \"" + spec_.time + "\": " + why;
    return false;
  }
  if (group_col_ >= 0) out.group = fields_[group_col_];
  for (size_t i = 0; i < index_cols_.size(); ++i) {
    const std::string& value = fields_[index_cols_[i]];
    if (!value.empty()) out.indexes.emplace_back(spec_.indexes[i], value);
  }
  out.data += '{';
  for (int i = 0; i < n; ++i) {
    if (i) out.data += ',';
    append_json_string(out.data, header_[i]);
    out.data += ':';
    append_json_string(out.data, fields_[i]);
  }
  out.data += '}';
  return true;
}

}  // namespace esdb::cli
