#include "dataset.h"

#include <algorithm>
#include <stdexcept>

#include "record_reader.h"
#include "time_parse.h"

namespace esdb::bench {

Dataset::Dataset() { intern(""); }

uint32_t Dataset::intern(std::string_view s) {
  auto [it, inserted] = string_ids_.try_emplace(std::string(s), static_cast<uint32_t>(strings_.size()));
  if (inserted) strings_.emplace_back(s);
  return it->second;
}

void Dataset::add(std::string_view key, int64_t timestamp, std::string_view group,
                  const std::vector<std::pair<std::string, std::string>>& indexes, std::string_view data) {
  auto [kit, new_key] = key_ids_.try_emplace(std::string(key), static_cast<uint32_t>(keys_.size()));
  if (new_key) keys_.emplace_back(key);
  Event e{};
  e.data_offset = arena_.size();
  e.data_size = static_cast<uint32_t>(data.size());
  e.timestamp = timestamp;
  e.key = kit->second;
  e.group = group.empty() ? 0 : intern(group);
  has_groups_ |= !group.empty();
  e.index_begin = static_cast<uint32_t>(index_refs_.size());
  e.index_count = static_cast<uint32_t>(indexes.size());
  for (const auto& [name, value] : indexes) {
    const uint32_t n = intern(name);
    if (std::find(index_names_.begin(), index_names_.end(), n) == index_names_.end()) index_names_.push_back(n);
    index_refs_.push_back({n, intern(value)});
  }
  arena_.append(data);
  events_.push_back(e);
}

Dataset load(const InputOptions& o) {
  const auto unit = cli::parse_time_unit(o.time_unit);
  if (!unit) throw std::runtime_error("--time-unit must be s, ms, us or ns");
  const cli::FieldSpec spec{o.key, o.time, o.group, o.indexes, *unit};
  Dataset d;
  cli::Record record;
  for (const std::string& path : o.paths) {
    cli::RecordReader reader(path, o.csv ? cli::InputFormat::csv : cli::InputFormat::json, spec);
    while (true) {
      const auto status = reader.next(record);
      if (status == cli::RecordReader::Status::end) break;
      if (status == cli::RecordReader::Status::bad) throw std::runtime_error(reader.error());
      d.add(record.key, record.time, record.group, record.indexes, record.data);
    }
  }
  d.describe = "input:";
  for (const std::string& p : o.paths) d.describe += " " + p;

  // The index scan looks for the first index field's value of median frequency.
  if (!o.indexes.empty()) {
    d.scan_index_name = o.indexes.front();
    const uint32_t name = d.intern(d.scan_index_name);
    std::unordered_map<uint32_t, uint64_t> counts;
    for (const auto& e : d.events()) {
      for (uint32_t i = 0; i < e.index_count; ++i) {
        if (d.indexes(e)[i].name == name) ++counts[d.indexes(e)[i].value];
      }
    }
    std::vector<std::pair<uint64_t, uint32_t>> by_count;
    for (const auto& [v, c] : counts) by_count.push_back({c, v});
    std::sort(by_count.begin(), by_count.end());
    if (!by_count.empty()) d.scan_index_value = d.str(by_count[by_count.size() / 2].second);
  }
  return d;
}

}  // namespace esdb::bench
