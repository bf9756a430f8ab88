// Reading an open log: a key's scan walks its in-memory list of record
// offsets (or one index entry's), reading each record with one pread; tail()
// walks the record list in append order.
#include <algorithm>

#include "esdb/log.h"
#include "log_state.h"
#include "scan_state.h"

namespace esdb {
namespace detail {

Scan make_scan(std::unique_ptr<EventSource> source) { return Scan(std::move(source)); }

namespace {

// The writer's own reads need its buffered appends in the file.
void make_readable(LogState& s) {
  if (!s.writable) return;
  std::lock_guard<std::mutex> lock(s.mu);
  s.write_pending();
}

class LogScan final : public EventSource {
 public:
  LogScan(std::shared_ptr<LogState> s, const LogKeyIndex& k, const ScanOptions& o)
      : state_(std::move(s)), with_indexes_(o.with_indexes) {
    const std::vector<LogRef>* list = &k.events;
    if (o.index) {
      auto it = k.postings.find({std::string(o.index->name), std::string(o.index->value)});
      if (it == k.postings.end()) return;
      list = &it->second;
    }
    // The scan keeps its own copy of the refs: appends after scan() neither
    // move nor show up in it.
    for (const LogRef& r : *list) {
      if (o.group && k.groups[r.group] != *o.group) continue;
      if (r.timestamp < o.from || (o.to && r.timestamp >= *o.to)) continue;
      refs_.push_back(r);
      auto at = std::lower_bound(k.events.begin(), k.events.end(), r,
                                 [&](const LogRef& a, const LogRef& b) { return k.before(a, b); });
      ordinals_.push_back(static_cast<uint64_t>(at - k.events.begin()));
    }
    if (o.reverse) {
      std::reverse(refs_.begin(), refs_.end());
      std::reverse(ordinals_.begin(), ordinals_.end());
    }
  }

  bool next() override {
    if (i_ == refs_.size()) return false;
    state_->read_record(refs_[i_].offset, buf_, e_);
    event_.key = e_.key;
    event_.group = e_.group;
    event_.timestamp = e_.timestamp;
    event_.data = e_.data;
    event_.ordinal = ordinals_[i_];
    event_.indexes = {};
    if (with_indexes_) {
      // As a file returns them: sorted, each entry once.
      std::sort(e_.indexes.begin(), e_.indexes.end(), [](const IndexEntry& a, const IndexEntry& b) {
        return a.name != b.name ? a.name < b.name : a.value < b.value;
      });
      e_.indexes.erase(std::unique(e_.indexes.begin(), e_.indexes.end()), e_.indexes.end());
      event_.indexes = e_.indexes;
    }
    i_++;
    return true;
  }
  const Event& event() const override { return event_; }

 private:
  std::shared_ptr<LogState> state_;
  bool with_indexes_;
  std::vector<LogRef> refs_;
  std::vector<uint64_t> ordinals_;
  size_t i_ = 0;
  std::string buf_;
  LogEvent e_;
  Event event_;
};

}  // namespace
}  // namespace detail

uint64_t LogKey::event_count() const { return state_->keys.at(name_).events.size(); }

std::vector<std::string> LogKey::groups() const {
  std::vector<std::string> g = state_->keys.at(name_).groups;
  std::sort(g.begin(), g.end());
  return g;
}

Scan LogKey::scan(const ScanOptions& options) const {
  detail::make_readable(*state_);
  return detail::make_scan(std::make_unique<detail::LogScan>(state_, state_->keys.at(name_), options));
}

LogTail::LogTail(std::shared_ptr<detail::LogState> s, size_t first, size_t last)
    : state_(std::move(s)), next_(first), last_(last) {}
LogTail::LogTail(LogTail&&) noexcept = default;
LogTail::~LogTail() = default;

bool LogTail::next() {
  if (next_ >= last_) return false;
  const uint64_t offset = state_->records[next_++];
  detail::LogEvent e;
  entry_.end = state_->read_record(offset, buffer_, e);
  entry_.offset = offset;
  entry_.key = e.key;
  entry_.group = e.group;
  entry_.timestamp = e.timestamp;
  entry_.data = e.data;
  entry_.indexes = std::move(e.indexes);
  return true;
}

LogTail Log::tail(uint64_t from) const {
  detail::make_readable(*state_);
  const auto& r = state_->records;
  size_t first = static_cast<size_t>(std::lower_bound(r.begin(), r.end(), from) - r.begin());
  return LogTail(state_, first, r.size());
}

}  // namespace esdb
