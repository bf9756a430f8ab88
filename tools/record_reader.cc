#include "record_reader.h"

#include "cli_error.h"

namespace esdb::cli {

RecordReader::RecordReader(const std::string& path, InputFormat format, const FieldSpec& spec)
    : lines_(path), format_(format), json_(spec), csv_(spec), dump_(), need_header_(format == InputFormat::csv) {}

bool RecordReader::next_text(std::string_view& text) {
  std::string_view line;
  while (lines_.next(line)) {
    if (format_ == InputFormat::csv && !pending_.empty()) {
      pending_ += '\n';
      pending_ += line;
      if (!CsvRecordParser::is_complete(pending_)) continue;
      text = pending_;
      return true;
    }
    line_ = lines_.line_number();
    if (trim_json_space(line).empty()) continue;  // blank lines separate nothing
    if (format_ == InputFormat::csv && !CsvRecordParser::is_complete(line)) {
      pending_.assign(line);
      continue;
    }
    text = line;
    return true;
  }
  if (!pending_.empty()) {  // the input ended inside a quoted field
    text = pending_;
    return true;
  }
  return false;
}

RecordReader::Status RecordReader::next(Record& out) {
  std::string_view text;
  std::string why;
  while (true) {
    if (!next_text(text)) return Status::end;
    auto where = [&] { return lines_.name() + ":" + std::to_string(line_) + ": "; };
    bool ok;
    if (need_header_) {
      if (!csv_.set_header(text, why)) throw input_error(where() + why);
      need_header_ = false;
      pending_.clear();
      continue;
    }
    switch (format_) {
      case InputFormat::json: ok = json_.parse(text, out, why); break;
      case InputFormat::csv: ok = csv_.parse(text, out, why); break;
      default: ok = dump_.parse(text, out, why); break;
    }
    pending_.clear();
    if (ok) return Status::record;
    error_ = where() + why;
    return Status::bad;
  }
}

}  // namespace esdb::cli
