// esdb info FILE: what a file holds, from its stats and its key directories.
#include <cstdio>
#include <functional>
#include <map>
#include <unordered_set>

#include "cli_error.h"
#include "commands.h"
#include "esdb/esdb.h"
#include "json_out.h"
#include "output.h"

namespace esdb::cli {
namespace {

struct GroupTotals {
  uint64_t events = 0, keys = 0;
};

struct IndexTotals {
  // Distinct values are counted by 64-bit hash: a name can have as many
  // values as events, and holding the strings could take more memory than
  // the machine has. A collision among 2^32 values is a 1-in-2^32 event.
  std::unordered_set<uint64_t> values;
  uint64_t events = 0;
};

struct Summary {
  FileStats stats;
  std::map<std::string, GroupTotals> groups;
  std::map<std::string, IndexTotals> indexes;
};

Summary summarize(const Reader& reader) {
  Summary s{reader.stats(), {}, {}};
  const std::hash<std::string_view> hash;
  for (const Key& key : reader.keys()) {
    for (const GroupInfo& g : key.groups()) {
      GroupTotals& t = s.groups[std::string(g.name)];
      t.events += g.event_count;
      ++t.keys;
    }
    for (const IndexValue& v : key.index_values()) {
      IndexTotals& t = s.indexes[v.name];
      t.values.insert(hash(v.value));
      t.events += v.count;
    }
  }
  return s;
}

std::string fixed(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

double compression_ratio(const FileStats& s) {
  return s.stored_chunk_bytes ? double(s.raw_chunk_bytes) / double(s.stored_chunk_bytes) : 1.0;
}

double bytes_per_event(const FileStats& s) {
  return s.event_count ? double(s.file_size) / double(s.event_count) : 0.0;
}

void print_text(std::string& o, const std::string& path, const Summary& sum) {
  const FileStats& s = sum.stats;
  auto line = [&](const char* label, const std::string& value) {
    char pad[24];
    std::snprintf(pad, sizeof pad, "%-17s", label);
    o += pad;
    o += value;
    o += '\n';
  };
  line("path:", path);
  line("format version:", std::to_string(s.format_version));
  line("file size:", std::to_string(s.file_size) + " bytes");
  line("keys:", std::to_string(s.key_count));
  line("events:", std::to_string(s.event_count));
  line("chunks:", std::to_string(s.chunk_count));
  line("data bytes:", std::to_string(s.data_bytes));
  line("min timestamp:", s.event_count ? std::to_string(s.min_timestamp) : "-");
  line("max timestamp:", s.event_count ? std::to_string(s.max_timestamp) : "-");
  line("compression:", fixed(compression_ratio(s)) + "x (" + std::to_string(s.raw_chunk_bytes) +
                           " bytes raw, " + std::to_string(s.stored_chunk_bytes) + " stored)");
  line("bytes per event:", fixed(bytes_per_event(s)));
  if (s.dictionary_bytes) line("zstd dictionary:", std::to_string(s.dictionary_bytes) + " bytes");
  if (s.covered_entries) line("covered entries:", "yes (see --cover)");
  line("groups:", std::to_string(sum.groups.size()));
  for (const auto& [name, t] : sum.groups) {
    o += "  ";
    append_bytes_value(o, name);
    o += ": " + std::to_string(t.events) + " events in " + std::to_string(t.keys) + " keys\n";
  }
  line("indexes:", std::to_string(sum.indexes.size()));
  for (const auto& [name, t] : sum.indexes) {
    o += "  ";
    append_bytes_value(o, name);
    o += ": " + std::to_string(t.values.size()) + " distinct values, " + std::to_string(t.events) +
         " entries\n";
  }
}

void print_json(std::string& o, const std::string& path, const Summary& sum) {
  const FileStats& s = sum.stats;
  auto num = [&](const char* name, const std::string& value) {
    o += '"';
    o += name;
    o += "\":" + value + ',';
  };
  o += "{\"path\":";
  append_bytes_value(o, path);
  o += ',';
  num("format_version", std::to_string(s.format_version));
  num("file_size", std::to_string(s.file_size));
  num("key_count", std::to_string(s.key_count));
  num("event_count", std::to_string(s.event_count));
  num("chunk_count", std::to_string(s.chunk_count));
  num("data_bytes", std::to_string(s.data_bytes));
  num("raw_chunk_bytes", std::to_string(s.raw_chunk_bytes));
  num("stored_chunk_bytes", std::to_string(s.stored_chunk_bytes));
  num("zstd_dictionary_bytes", std::to_string(s.dictionary_bytes));
  num("covered_entries", s.covered_entries ? "true" : "false");
  num("min_timestamp", s.event_count ? std::to_string(s.min_timestamp) : "null");
  num("max_timestamp", s.event_count ? std::to_string(s.max_timestamp) : "null");
  num("compression_ratio", fixed(compression_ratio(s)));
  num("bytes_per_event", fixed(bytes_per_event(s)));
  o += "\"groups\":[";
  bool first = true;
  for (const auto& [name, t] : sum.groups) {
    o += first ? "{\"name\":" : ",{\"name\":";
    first = false;
    append_bytes_value(o, name);
    o += ",\"events\":" + std::to_string(t.events) + ",\"keys\":" + std::to_string(t.keys) + '}';
  }
  o += "],\"indexes\":[";
  first = true;
  for (const auto& [name, t] : sum.indexes) {
    o += first ? "{\"name\":" : ",{\"name\":";
    first = false;
    append_bytes_value(o, name);
    o += ",\"distinct_values\":" + std::to_string(t.values.size()) +
         ",\"entries\":" + std::to_string(t.events) + '}';
  }
  o += "]}\n";
}

}  // namespace

Command add_info_command(CLI::App& app) {
  struct Args {
    std::string file;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("info", "Describe a file: sizes, counts, time range, groups, indexes");
  cmd->add_option("FILE", args->file, "The esdb file")->required();
  cmd->add_flag("--json", args->json, "One JSON object instead of text");
  cmd->footer(
      "Groups are listed with their events and the keys that have them; index names\n"
      "with their distinct values and entries (events carrying the name). The\n"
      "compression ratio is chunk bytes before / after compression. Names are shown\n"
      "as JSON strings (or {\"b64\":...} when not UTF-8); the default group is \"\".\n\n"
      "Examples:\n"
      "  esdb info activity.esdb\n"
      "  esdb info activity.esdb --json | jq .event_count");
  return {cmd, [args] {
            const Reader reader = Reader::open(args->file);
            const Summary summary = summarize(reader);
            Output out;
            if (args->json) {
              print_json(out.buf(), args->file, summary);
            } else {
              print_text(out.buf(), args->file, summary);
            }
            out.flush();
            return kExitOk;
          }};
}

}  // namespace esdb::cli
