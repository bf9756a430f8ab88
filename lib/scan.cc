#include <algorithm>

#include "block.h"
#include "esdb/esdb.h"
#include "format/format.h"
#include "scan_state.h"

namespace esdb {
namespace detail {
namespace {

// The buffers of the scan that ended last on this thread, for the next one:
// a scan of a small key (most keys) would otherwise pay two allocations of
// chunk size and their frees, ~20 instructions per event on the bench data
// (BENCHMARKS.md, #16). Kept only up to 64 KiB each (default chunks), so a
// thread holds at most 128 KiB of them and a huge chunk is freed with its
// scan.
struct Spare {
  static constexpr size_t kMaxBytes = size_t{64} << 10;
  Buffer chunk;
  DecodedChunk decoded;
};
// Plain pointer and flag (no destructor of their own), so that a scan that
// outlives the thread's other thread_locals (one destroyed at exit) still
// reads them: it finds the spare gone and frees its own buffers.
thread_local Spare* tl_spare = nullptr;
thread_local bool tl_spare_gone = false;

Spare* spare() {
  if (tl_spare == nullptr && !tl_spare_gone) {
    struct Owner {
      ~Owner() {
        delete tl_spare;
        tl_spare = nullptr;
        tl_spare_gone = true;
      }
    };
    static thread_local Owner owner;  // frees the spare when the thread ends
    (void)owner;
    tl_spare = new Spare;
  }
  return tl_spare;
}

}  // namespace

ScanState::~ScanState() {
  Spare* s = tl_spare;
  if (s == nullptr) return;
  // swap, not move: a moved-from Buffer or DecodedChunk keeps its capacity.
  if (chunk_buf_.capacity() <= Spare::kMaxBytes) std::swap(s->chunk, chunk_buf_);
  if (decoded_.capacity() * sizeof(DecodedEvent) <= Spare::kMaxBytes) std::swap(s->decoded, decoded_);
}

ScanState::ScanState(std::shared_ptr<const KeyDir> dir, const ScanOptions& o, bool use_covers)
    : dir_(std::move(dir)),
      region_(dir_->region()),
      reverse_(o.reverse),
      from_(o.from),
      to_(o.to.value_or(kMaxTime)),
      has_to_(o.to.has_value()),
      with_indexes_(o.with_indexes) {
  if (Spare* s = spare()) {
    std::swap(chunk_buf_, s->chunk);
    std::swap(decoded_, s->decoded);
  }
  event_.key = dir_->key;
  run.step = o.reverse ? -1 : 1;
  run.event = &event_;
  run.current = &event_;
  plan_segments(o);
  std::optional<KeyDir::Cover> cover;
  if (o.index && use_covers) cover = dir_->find_cover(o.index->name, o.index->value);
  if (cover) {
    by_index_ = true;
    if (!segments_.empty()) load_cover(*cover);
  } else if (o.index) {
    by_index_ = true;
    load_index_block();
    auto it = std::lower_bound(records_.begin(), records_.end(), *o.index, [](const IndexRecord& r, const IndexEntry& e) {
      return r.name != e.name ? r.name < e.name : r.value < e.value;
    });
    if (it == records_.end() || it->name != o.index->name || it->value != o.index->value) {
      segments_.clear();  // no event carries it
    } else {
      cursor_ = PostingCursor(posting_list(*it), reverse_);
    }
  }
  if (with_indexes_ && !segments_.empty()) {
    load_index_block();
    attach_.reserve(records_.size());
    for (const IndexRecord& r : records_) {
      attach_.emplace_back(posting_list(r), reverse_);
      heap_.push_back(static_cast<uint32_t>(attach_.size() - 1));
    }
    std::make_heap(heap_.begin(), heap_.end(), [this](uint32_t a, uint32_t b) { return later(a, b); });
  }
}

// Heap order for attach_: the cursor whose ordinal comes last in scan order
// sinks, so the top is the next one the scan reaches.
bool ScanState::later(uint32_t a, uint32_t b) const {
  uint64_t x = attach_[a].ordinal(), y = attach_[b].ordinal();
  return reverse_ ? x < y : x > y;
}

void ScanState::fail(uint64_t offset, const std::string& what) const {
  throw Error(Errc::corrupt, dir_->file->path, offset, what);
}

void ScanState::plan_segments(const ScanOptions& o) {
  const KeyDir& d = *dir_;
  if (has_to_ && to_ <= from_) return;
  for (size_t g = 0; g < d.groups.size(); g++) {
    if (o.group && d.groups[g].name != *o.group) continue;
    uint64_t c0 = d.groups[g].first_chunk, c1 = d.groups[g].end_chunk;
    // Within a group chunk timestamps never go down, so both bounds are
    // binary searches over the directory; no chunk before is decoded.
    uint64_t lo = c0, hi = c1;
    while (lo < hi) {
      uint64_t mid = lo + (hi - lo) / 2;
      if (d.chunk(mid).last_ts >= from_) hi = mid; else lo = mid + 1;
    }
    uint64_t first = lo;
    hi = c1;
    if (has_to_) {
      while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (d.chunk(mid).first_ts >= to_) hi = mid; else lo = mid + 1;
      }
    }
    if (first < hi) segments_.push_back({g, d.chunk_first_ordinal(first), d.chunk(hi - 1).end_ordinal, first, hi});
  }
  if (reverse_) std::reverse(segments_.begin(), segments_.end());
}

void ScanState::load_index_block() {
  if (!index_payload_.empty() || dir_->index_size == 0) return;
  const KeyDir& d = *dir_;
  index_payload_ =
      read_block(*d.file, region_, d.index_offset, d.index_size, d.chunks_end, d.offset, index_buf_, "index block");
  std::string problem = parse_index_block(index_payload_, d.event_count, records_);
  if (!problem.empty()) fail(d.index_offset, problem);
}

// The entry's covering copy replaces its posting list and chunks: its
// events carry their ordinals. One block is decoded whole; a sub-block one
// (a large copy) a sub-block at a time, as the scan reaches it.
void ScanState::load_cover(const KeyDir::Cover& c) {
  const KeyDir& d = *dir_;
  uint8_t type;
  const uint64_t hi = d.index_size ? d.index_offset : d.offset;
  std::string_view stored = read_stored_block(*d.file, region_, c.offset, c.size, d.chunks_end, hi, "cover block", type);
  cover_ = true;
  cover_offset_ = c.offset;
  cover_count_ = c.count;
  std::string problem;
  if (type == format::kSubBlockChunk) {
    problem = subs_.parse(stored, c.count);
    split_ = true;
  } else {
    std::string_view payload;
    problem = decompress(type, stored, chunk_buf_, payload, d.file->dictionary.get());
    if (problem.empty()) problem = decoded_.decode_cover(payload, c.count, d.event_count);
    decoded_lo_ = 0;
    decoded_hi_ = c.count;
  }
  if (!problem.empty()) fail(c.offset, "cover block: " + problem);
}

void ScanState::load_cover_sub(uint32_t i) {
  std::string_view payload;
  std::string problem = decompress(subs_.codec(i), subs_.stored(i), chunk_buf_, payload, dir_->file->dictionary.get());
  const uint64_t lo = subs_.first_event(i), hi = subs_.event_end(i);
  if (problem.empty()) problem = decoded_.decode_cover(payload, hi - lo, dir_->event_count);
  if (!problem.empty()) fail(cover_offset_, "cover block: sub-block " + std::to_string(i) + ": " + problem);
  decoded_lo_ = lo;
  decoded_hi_ = hi;
}

// next_slow() for a covered entry: the copy's events in scan order, each
// checked against what the key dir says of the chunks it copies (its
// ordinal past the previous one, its timestamp within its chunk's). Whether
// it equals the chunks' events is verify's check: that needs them decoded.
bool ScanState::next_cover() {
  while (taken_ < cover_count_ && seg_ < segments_.size()) {
    const uint64_t k = reverse_ ? cover_count_ - 1 - taken_ : taken_;
    if (k < decoded_lo_ || k >= decoded_hi_) load_cover_sub(subs_.find(k));
    const size_t i = k - decoded_lo_;
    const uint64_t ordinal = decoded_.ordinal(i);
    if (taken_ > 0 && (reverse_ ? ordinal >= cover_prev_ordinal_ : ordinal <= cover_prev_ordinal_)) {
      fail(cover_offset_, "cover block: ordinals do not increase");
    }
    const Segment& s = segments_[seg_];
    if (reverse_ ? ordinal < s.lo : ordinal >= s.hi) {  // past this segment: on to the next
      seg_++;
      continue;
    }
    taken_++;
    cover_prev_ordinal_ = ordinal;
    if (reverse_ ? ordinal >= s.hi : ordinal < s.lo) continue;  // before it
    const int64_t ts = decoded_.ts(i);
    const ChunkEntry e = dir_->chunk(dir_->chunk_of(ordinal, s.chunk_lo, s.chunk_hi));
    if (ts < e.first_ts || ts > e.last_ts) fail(cover_offset_, "cover block: an event's timestamp lies outside its chunk's");
    if (cover_seg_ == seg_ && (reverse_ ? ts > cover_prev_ts_ : ts < cover_prev_ts_)) {
      fail(cover_offset_, "cover block: timestamps go down within a group");
    }
    cover_seg_ = seg_;
    cover_prev_ts_ = ts;
    if (ts < from_ || (has_to_ && ts >= to_)) {
      if (reverse_ ? ts < from_ : (has_to_ && ts >= to_)) seg_++;  // past the bound: the segment is done
      continue;
    }
    event_.group = dir_->groups[s.group].name;
    event_.timestamp = ts;
    event_.data = decoded_.data(i);
    event_.ordinal = ordinal;
    if (with_indexes_) attach_indexes(ordinal);
    return true;
  }
  return false;
}

PostingList ScanState::posting_list(const IndexRecord& r) const {
  if (!r.external) return r.list(r.inline_deltas);
  const KeyDir& d = *dir_;
  return r.list(read_raw_block(*d.file, region_, r.external_offset, r.deltas_len + format::kBlockTrailerSize, d.chunks_end,
                               d.index_offset, "posting block"));
}

bool ScanState::next_ordinal(uint64_t& ordinal) {
  while (seg_ < segments_.size()) {
    const Segment& s = segments_[seg_];
    if (by_index_) {
      if (!cursor_.valid()) return false;
      uint64_t o = cursor_.ordinal();
      bool before = reverse_ ? o >= s.hi : o < s.lo;
      bool after = reverse_ ? o < s.lo : o >= s.hi;
      if (after) {
        seg_++;
        continue;
      }
      std::string problem = cursor_.advance();
      if (!problem.empty()) fail(dir_->index_offset, problem);
      if (before) continue;
      ordinal = o;
      return true;
    }
    if (!seg_started_) {
      next_ = reverse_ ? s.hi : s.lo;
      seg_started_ = true;
    }
    if (reverse_ ? next_ > s.lo : next_ < s.hi) {
      ordinal = reverse_ ? --next_ : next_++;
      return true;
    }
    seg_++;
    seg_started_ = false;
  }
  return false;
}

void ScanState::load_chunk(uint64_t c) {
  const KeyDir& d = *dir_;
  ChunkEntry e = d.chunk(c);
  chunk_ = ~uint64_t{0};  // until it passes every check
  chunk_first_ = d.chunk_first_ordinal(c);
  chunk_end_ = e.end_ordinal;
  chunk_first_ts_ = e.first_ts;
  chunk_last_ts_ = e.last_ts;
  chunk_offset_ = e.offset;
  const uint64_t size = d.chunk_end_offset(c) - e.offset;
  uint8_t type;
  std::string_view stored;
  try {
    stored = read_stored_block(*d.file, region_, e.offset, size, format::kHeaderSize, d.chunks_end, "chunk", type);
  } catch (const Error& err) {
    throw Error(err.code(), err.path(), err.offset(), "chunk " + std::to_string(c) + ": " + err.detail());
  }
  chunks_loaded_++;
  stored_bytes_loaded += size;
  const uint64_t count = chunk_end_ - chunk_first_;
  std::string problem;
  if (type == format::kSubBlockChunk) {
    problem = subs_.parse(stored, count);
    if (!problem.empty()) fail(e.offset, "chunk " + std::to_string(c) + ": " + problem);
    split_ = true;
    sub_ = ~uint32_t{0};
    chunk_ = c;
    return;
  }
  split_ = false;
  std::string_view payload;
  problem = decompress(type, stored, chunk_buf_, payload, dir_->file->dictionary.get());
  if (problem.empty()) problem = decoded_.decode(payload, count, e.first_ts, e.last_ts);
  if (!problem.empty()) fail(e.offset, "chunk " + std::to_string(c) + ": " + problem);
  raw_bytes_loaded += payload.size();
  chunk_ = c;
  decoded_lo_ = chunk_first_;
  decoded_hi_ = chunk_end_;
}

void ScanState::load_sub(uint32_t i) {
  auto fail_sub = [&](const std::string& what) {
    fail(chunk_offset_, "chunk " + std::to_string(chunk_) + ": sub-block " + std::to_string(i) + ": " + what);
  };
  std::string_view payload;
  std::string problem = decompress(subs_.codec(i), subs_.stored(i), chunk_buf_, payload, dir_->file->dictionary.get());
  const uint64_t lo = subs_.first_event(i), hi = subs_.event_end(i);
  if (problem.empty()) {
    problem = decoded_.decode_part(payload, hi - lo, chunk_first_ts_, chunk_last_ts_, i == 0, i + 1 == subs_.size());
  }
  if (!problem.empty()) fail_sub(problem);
  // Neighbouring sub-blocks must not go back in time; a scan that walks the
  // whole chunk (verify's does) meets every pair of them in turn.
  const int64_t first = decoded_.ts(0), last = decoded_.ts(decoded_.size() - 1);
  if (sub_ != ~uint32_t{0} && ((i == sub_ + 1 && first < sub_last_ts_) || (i + 1 == sub_ && last > sub_first_ts_))) {
    fail_sub("timestamps go down across sub-blocks");
  }
  raw_bytes_loaded += payload.size();
  sub_ = i;
  sub_first_ts_ = first;
  sub_last_ts_ = last;
  decoded_lo_ = chunk_first_ + lo;
  decoded_hi_ = chunk_first_ + hi;
}

// Scan::next's inline path, for sources that merge scans (merged_scan.h).
bool ScanState::next() {
  if (run.left != 0) {
    run.left--;
    run.at += run.step;
    event_.timestamp = run.at->ts;
    event_.data = {run.payload + run.at->offset, run.at->size};
    event_.ordinal += static_cast<uint64_t>(run.step);
    return true;
  }
  return next_slow();
}

bool ScanState::next_slow() {
  if (cover_) return next_cover();
  uint64_t ordinal;
  while (next_ordinal(ordinal)) {
    const Segment& s = segments_[seg_];
    if (ordinal < decoded_lo_ || ordinal >= decoded_hi_) {
      if (chunk_ == ~uint64_t{0} || ordinal < chunk_first_ || ordinal >= chunk_end_) {
        load_chunk(dir_->chunk_of(ordinal, s.chunk_lo, s.chunk_hi));
      }
      if (split_) load_sub(subs_.find(ordinal - chunk_first_));
    }
    size_t i = ordinal - decoded_lo_;
    int64_t ts = decoded_.ts(i);
    if (ts < from_ || (has_to_ && ts >= to_)) {
      // Timestamps only grow within a segment: past the bound, it is done.
      if (reverse_ ? ts < from_ : (has_to_ && ts >= to_)) {
        seg_++;
        seg_started_ = false;
      }
      continue;
    }
    event_.group = dir_->groups[s.group].name;
    event_.timestamp = ts;
    event_.data = decoded_.data(i);
    event_.ordinal = ordinal;
    if (with_indexes_) {
      attach_indexes(ordinal);
    } else if (!by_index_) {
      start_run(ordinal, s);
    }
    return true;
  }
  return false;
}

// The events after `ordinal` (in scan order) that next() can hand out
// without a check: decoded, in the segment, and inside [from, to), which is
// a binary search because timestamps never go down within a segment.
void ScanState::start_run(uint64_t ordinal, const Segment& s) {
  const size_t i = ordinal - decoded_lo_;
  uint64_t left;
  if (!reverse_) {
    left = std::min(decoded_hi_, s.hi) - ordinal - 1;
    if (has_to_ && left != 0 && decoded_.ts(i + left) >= to_) {
      uint64_t lo = 0, hi = left;  // the last k with ts(i + k) < to_ (k = 0 holds)
      while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1) / 2;
        if (decoded_.ts(i + mid) < to_) lo = mid; else hi = mid - 1;
      }
      left = lo;
    }
    next_ += left;
  } else {
    left = ordinal - std::max(decoded_lo_, s.lo);
    if (left != 0 && decoded_.ts(i - left) < from_) {
      uint64_t lo = 0, hi = left;  // the last k with ts(i - k) >= from_
      while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1) / 2;
        if (decoded_.ts(i - mid) >= from_) lo = mid; else hi = mid - 1;
      }
      left = lo;
    }
    next_ -= left;
  }
  run.left = left;
  run.at = decoded_.events() + i;
  run.payload = decoded_.payload();
}

void ScanState::attach_indexes(uint64_t ordinal) {
  // A heap of posting cursors, one per index entry of the key, merged by
  // ordinal; cursors behind the current event (skipped events) move on.
  auto later = [this](uint32_t a, uint32_t b) { return this->later(a, b); };
  hits_.clear();
  while (!heap_.empty()) {
    uint32_t top = heap_.front();
    uint64_t o = attach_[top].ordinal();
    if (reverse_ ? o < ordinal : o > ordinal) break;
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
    if (o == ordinal) hits_.push_back(top);
    std::string problem = attach_[top].advance();
    if (!problem.empty()) fail(dir_->index_offset, problem);
    if (attach_[top].valid()) {
      heap_.push_back(top);
      std::push_heap(heap_.begin(), heap_.end(), later);
    }
  }
  std::sort(hits_.begin(), hits_.end());
  entries_.clear();
  for (uint32_t h : hits_) entries_.push_back({records_[h].name, records_[h].value});
  event_.indexes = entries_;
}

}  // namespace detail

Scan::Scan(std::unique_ptr<detail::EventSource> s) : state_(std::move(s)), run_(&state_->run) {}
Scan::Scan(Scan&&) noexcept = default;
Scan& Scan::operator=(Scan&&) noexcept = default;
Scan::~Scan() = default;

bool Scan::next_source() {
  if (!state_->next()) return false;
  // A merge's event lives in whichever part produced it.
  run_->current = &state_->event();
  return true;
}

Key::Key(std::shared_ptr<const detail::KeyDir> d) : dir_(std::move(d)) {}
std::string_view Key::name() const { return dir_->key; }
uint64_t Key::event_count() const { return dir_->event_count; }

std::vector<GroupInfo> Key::groups() const {
  std::vector<GroupInfo> out;
  for (const auto& g : dir_->groups) {
    out.push_back({g.name, dir_->chunk(g.end_chunk - 1).end_ordinal - dir_->chunk_first_ordinal(g.first_chunk),
                   dir_->chunk(g.first_chunk).first_ts, dir_->chunk(g.end_chunk - 1).last_ts});
  }
  return out;
}

int64_t Key::min_timestamp() const {
  int64_t m = kMaxTime;
  for (const auto& g : dir_->groups) m = std::min(m, dir_->chunk(g.first_chunk).first_ts);
  return m;
}

int64_t Key::max_timestamp() const {
  int64_t m = kMinTime;
  for (const auto& g : dir_->groups) m = std::max(m, dir_->chunk(g.end_chunk - 1).last_ts);
  return m;
}

std::vector<IndexValue> Key::index_values() const {
  std::vector<IndexValue> out;
  const detail::KeyDir& d = *dir_;
  if (d.index_size == 0) return out;
  Buffer buf;
  const detail::Window region = d.region();
  std::string_view payload = read_block(*d.file, region, d.index_offset, d.index_size, d.chunks_end, d.offset, buf, "index block");
  std::vector<IndexRecord> records;
  std::string problem = parse_index_block(payload, d.event_count, records);
  if (!problem.empty()) throw Error(Errc::corrupt, d.file->path, d.index_offset, problem);
  for (const IndexRecord& r : records) out.push_back({std::string(r.name), std::string(r.value), r.count});
  return out;
}

Scan Key::scan(const ScanOptions& options) const {
  return Scan(std::make_unique<detail::ScanState>(dir_, options));
}

}  // namespace esdb
