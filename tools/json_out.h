// Writing JSON: strings, byte strings that may not be UTF-8, and the event
// envelope shared by `get --format json` and `dump`.
//
// Envelope, one line per event:
//   {"key":K,"time":T,"group":G,D[,"indexes":[[NAME,VALUE],...]]}
// where T is the stored integer timestamp and
//   K, G  are "key":"..." / "group":"..." when the bytes are valid UTF-8,
//         else "key_b64":"..." / "group_b64":"..." (base64 of the bytes);
//   D     is "data":<the stored bytes verbatim> when they are one JSON text
//         without line breaks or surrounding whitespace (the usual case: the
//         record given to build), else "data_text":"..." for other UTF-8,
//         else "data_b64":"...";
//   NAME, VALUE are "..." for UTF-8, else {"b64":"..."}.
// Every form gives back the exact bytes, which is what makes dump | build
// --from-dump lossless (dump_parser.h reads it back).
#pragma once

#include <string>
#include <string_view>

#include "esdb/esdb.h"
#include "json_text.h"

namespace esdb::cli {

bool is_utf8(std::string_view bytes);

// Appends `utf8` as a quoted, escaped JSON string.
void append_json_string(std::string& out, std::string_view utf8);

// Appends "name":"..." or, for bytes that are not UTF-8, "name_b64":"...".
void append_bytes_field(std::string& out, std::string_view name, std::string_view bytes);

// Appends "..." or, for bytes that are not UTF-8, {"b64":"..."}.
void append_bytes_value(std::string& out, std::string_view bytes);

class EnvelopeWriter {
 public:
  // Appends the envelope of `e` (without a newline). `with_indexes` adds the
  // index entries, which the scan must have been asked to fill.
  void append(std::string& out, const Event& e, bool with_indexes);

 private:
  JsonText scratch_;  // reused to test whether data is embeddable JSON
};

}  // namespace esdb::cli
