#include "sorter.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "batch_queue.h"
#include "build_timeline.h"
#include "file_sink.h"
#include "format/coding.h"

namespace esdb {

// The smallest read window of a run being merged: large enough that reading
// runs back stays sequential enough for a disk.
static constexpr size_t kMinWindow = 64 << 10;

// The final merge hands records to the writer thread in batches of about
// batch_bytes(budget), at most kBatchDepth queued (BatchQueue); a merger that
// found the queue full resumes once kBatchResume are left. Large batches and
// a deep queue make few hand-overs, each of which may wait for a time slice
// on a busy machine; the batches' memory stays a small share of the budget.
static constexpr size_t kBatchDepth = 8;
static constexpr size_t kBatchResume = 4;
static size_t batch_bytes(size_t budget) { return std::clamp<size_t>(budget / 128, 64 << 10, 512 << 10); }

// What the final merge's read windows may take when it runs in the
// background: the budget less the batches in flight (the one being filled,
// kBatchDepth queued, the one being encoded).
static size_t batch_window_budget(size_t budget) {
  const size_t batch_memory = (kBatchDepth + 2) * batch_bytes(budget);
  return budget > 2 * batch_memory ? budget - batch_memory : budget / 2;
}

// Reads one record (layout in sorter.h); false if the bytes end first.
static bool read_record(format::Cursor& c, std::string_view& key, std::string_view& group, int64_t& timestamp,
                        std::string_view& rest) {
  uint64_t klen, glen, rlen, ts;
  if (!(c.varint(klen) && c.bytes(klen, key) && c.varint(glen) && c.bytes(glen, group) && c.fixed64(ts) &&
        c.varint(rlen) && c.bytes(rlen, rest))) {
    return false;
  }
  timestamp = static_cast<int64_t>(ts);
  return true;
}

// Appends one record (layout in sorter.h).
static void put_record(std::string& out, std::string_view key, std::string_view group, int64_t ts,
                       std::string_view rest) {
  format::put_bytes(out, key);
  format::put_bytes(out, group);
  format::put_fixed64(out, static_cast<uint64_t>(ts));
  format::put_bytes(out, rest);
}

// Compares (key, group, timestamp); ties keep the order of add because the
// sort is stable and runs are merged in the order they were spilled.
static int compare(std::string_view ak, std::string_view ag, int64_t at, std::string_view bk, std::string_view bg,
                   int64_t bt) {
  if (int c = ak.compare(bk)) return c;
  if (int c = ag.compare(bg)) return c;
  return at < bt ? -1 : at > bt ? 1 : 0;
}

// The file runs are spilled to: anonymous (unlinked at once), so nothing is
// left behind whatever happens, and one per merge pass, so a huge input
// needs no more than two descriptors.
struct Sorter::SpillFile {
  explicit SpillFile(const std::string& near_path) : fd(open_anonymous_temp(near_path)) {}
  ~SpillFile() { ::close(fd); }
  int fd;
  uint64_t size = 0;
};

// A sorted run: a range of a spill file, read back through a window buffer,
// or the last buffer, sorted and merged from memory instead of spilled.
class Sorter::Run {
 public:
  Run(std::shared_ptr<SpillFile> file, uint64_t begin, uint64_t end, size_t index)
      : index(index), file_(std::move(file)), run_begin_(begin), run_end_(end) {}
  Run(const SortBuffer& sorted, size_t index) : index(index), memory_(sorted.entries()) {}

  void start(size_t window) {
    memory_next_ = 0;
    if (!file_) return;
    buf_.assign(window, '\0');
    begin_ = end_ = 0;
    read_offset_ = run_begin_;
    record_size_ = 0;
  }
  void release() { std::string().swap(buf_); }
  // Loads the next record; false at the end of the run.
  bool next() {
    if (!file_) {
      if (memory_next_ == memory_.size()) return false;
      const SortBuffer::Entry& e = memory_[memory_next_++];
      key = e.key(), group = e.group(), timestamp = e.ts, rest = e.rest();
      return true;
    }
    begin_ += record_size_;
    for (;;) {
      format::Cursor c(buf_.data() + begin_, buf_.data() + end_);
      if (read_record(c, key, group, timestamp, rest)) {
        record_size_ = c.position();
        return true;
      }
      if (!fill()) {
        if (begin_ != end_) throw Error(Errc::io, "", Error::kNoOffset, "sorted run is truncated");
        return false;
      }
    }
  }

  // The current record's size and bytes as RunWriter writes them; a file
  // run's are copied as they are, a memory run's encoded.
  size_t record_size() const {
    if (file_) return record_size_;
    return format::varint_size(key.size()) + key.size() + format::varint_size(group.size()) + group.size() + 8 +
           format::varint_size(rest.size()) + rest.size();
  }
  void append_record(std::string& out) const {
    if (file_) {
      out.append(buf_.data() + begin_, record_size_);
      return;
    }
    put_record(out, key, group, timestamp, rest);
  }

  const size_t index;  // spill order, which breaks ties
  std::string_view key, group, rest;
  int64_t timestamp = 0;

 private:
  // Moves the unread bytes to the front and reads more, growing the window
  // when one record does not fit.
  bool fill() {
    size_t unread = end_ - begin_;
    if (unread == buf_.size()) buf_.resize(buf_.size() * 2);
    std::memmove(buf_.data(), buf_.data() + begin_, unread);
    begin_ = 0;
    end_ = unread;
    record_size_ = 0;
    ssize_t n = 0;
    size_t want = std::min<uint64_t>(buf_.size() - end_, run_end_ - read_offset_);
    if (want > 0) {
      do n = ::pread(file_->fd, buf_.data() + end_, want, static_cast<off_t>(read_offset_));
      while (n < 0 && errno == EINTR);
    }
    if (n < 0) throw Error(Errc::io, "", Error::kNoOffset, std::string("reading a sorted run: ") + std::strerror(errno));
    read_offset_ += n;
    end_ += n;
    return n > 0;
  }

  std::shared_ptr<SpillFile> file_;  // null for a memory run
  uint64_t run_begin_ = 0, run_end_ = 0;
  std::span<const SortBuffer::Entry> memory_;
  size_t memory_next_ = 0;
  std::string buf_;
  size_t begin_ = 0, end_ = 0, record_size_ = 0;
  uint64_t read_offset_ = 0;
};

Sorter::Sorter(std::string near_path, size_t memory_budget, bool background)
    : near_path_(std::move(near_path)),
      budget_(std::max<size_t>(memory_budget, 1 << 20)),
      background_(background),
      buffer_budget_(background ? budget_ / 2 : budget_) {}

Sorter::~Sorter() {
  if (pending_.valid()) pending_.wait();
}

void Sorter::add(const EventInput& e) {
  filling_->add(e);
  if (filling_->bytes() >= buffer_budget_) spill();
}

// Appends one run to a spill file, in large writes.
class Sorter::RunWriter {
 public:
  RunWriter(std::shared_ptr<SpillFile> file, const std::string& near_path)
      : file_(std::move(file)), near_path_(near_path), begin_(file_->size) {}
  void add(std::string_view key, std::string_view group, int64_t ts, std::string_view rest) {
    put_record(out_, key, group, ts, rest);
    if (out_.size() >= (1 << 20)) flush();
  }
  std::unique_ptr<Run> finish(size_t index) {
    flush();
    return std::make_unique<Run>(file_, begin_, file_->size, index);
  }

 private:
  void flush() {
    const char* p = out_.data();
    size_t n = out_.size();
    while (n > 0) {
      ssize_t w = ::write(file_->fd, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) throw Error(Errc::io, near_path_, Error::kNoOffset, std::string("writing a sorted run: ") + std::strerror(errno));
      p += w;
      n -= w;
      file_->size += w;
    }
    out_.clear();
  }
  std::shared_ptr<SpillFile> file_;
  const std::string& near_path_;
  uint64_t begin_;
  std::string out_;
};

std::unique_ptr<Sorter::Run> Sorter::write_run(SortBuffer& b, size_t index, const char* thread) {
  timeline::mark(thread, "run: sorting");
  b.sort();
  timeline::mark(thread, "run: sorted, writing");
  RunWriter w(spill_file_, near_path_);
  for (const SortBuffer::Entry& e : b.entries()) w.add(e.key(), e.group(), e.ts, e.rest());
  b.reset();
  auto run = w.finish(index);
  timeline::mark(thread, "run: written");
  return run;
}

void Sorter::wait_pending() {
  if (pending_.valid()) runs_.push_back(pending_.get());  // rethrows the spill's error
}

// One spill at a time writes to the file, so runs lie in it in spill order.
void Sorter::spill() {
  if (pending_.valid()) timeline::mark("writer", "spill: waiting for the previous one");
  wait_pending();
  if (!spill_file_) spill_file_ = std::make_shared<SpillFile>(near_path_);
  if (!background_) {
    runs_.push_back(write_run(*filling_, runs_.size(), "writer"));
    return;
  }
  timeline::mark("writer", "spill: handed to the spill thread");
  SortBuffer* full = filling_;
  filling_ = full == &buffers_[0] ? &buffers_[1] : &buffers_[0];
  pending_ = std::async(std::launch::async, [this, full, index = runs_.size()] { return write_run(*full, index, "spill"); });
}

// Splits `rest` into data and index entries.
static std::string_view parse_rest(std::string_view rest, std::vector<IndexEntry>& indexes) {
  format::Cursor c(rest);
  uint64_t n = 0;
  c.varint(n);
  indexes.resize(n);
  for (IndexEntry& x : indexes) {
    c.prefixed(x.name, ~uint64_t{0});
    c.prefixed(x.value, ~uint64_t{0});
  }
  std::string_view data;
  c.prefixed(data, ~uint64_t{0});
  return data;
}

void Sorter::drain(const std::function<void(const SortedEvent&)>& fn, const std::function<bool()>& idle) {
  std::vector<IndexEntry> indexes;
  // Sorted first, in the background while the spill thread finishes the
  // one before (whether it is then merged from memory or spilled).
  timeline::mark("writer", "drain: sorting the last buffer");
  filling_->sort();
  timeline::mark("writer", "drain: waiting for the last spill");
  wait_pending();
  timeline::mark("writer", "drain: spills done");
  if (runs_.empty()) {
    for (const SortBuffer::Entry& e : filling_->entries()) {
      std::string_view data = parse_rest(e.rest(), indexes);
      fn(SortedEvent{e.key(), e.group(), e.ts, data, indexes});
    }
    return;
  }
  // At most `fan_in` runs are read at once, each through a window of at
  // least kMinWindow, so the merge stays within the budget however many runs
  // a large input spilled: surplus runs are first merged into longer ones,
  // in consecutive spans, which keeps ties in the order of add.
  // In the background the final merge's batches take a share of the budget
  // (merge_in_background), so fewer runs are read at once there.
  const size_t final_budget = background_ ? batch_window_budget(budget_) : budget_;
  // The last buffer is merged from memory, not written and read back, when
  // what it holds leaves the read windows enough for as few merge passes as
  // spilling it would; its memory is then out of the windows' share.
  const size_t full_fan_in = std::max<size_t>(2, final_budget / kMinWindow);
  const size_t kept = filling_->bytes();
  last_in_memory_ = !filling_->empty() && final_budget > kept &&
                    (final_budget - kept) / kMinWindow >= std::max<size_t>(2, std::min(runs_.size() + 1, full_fan_in));
  if (!filling_->empty() && !last_in_memory_) runs_.push_back(write_run(*filling_, runs_.size(), "writer"));
  // The other buffers' memory goes to the merge's read windows now.
  for (SortBuffer& b : buffers_) {
    if (!last_in_memory_ || &b != filling_) b.release();
  }
  const size_t window_budget = last_in_memory_ ? final_budget - kept : final_budget;
  const size_t fan_in = std::max<size_t>(2, window_budget / kMinWindow);
  while (runs_.size() > fan_in) {
    std::vector<std::unique_ptr<Run>> merged;
    auto file = std::make_shared<SpillFile>(near_path_);
    for (size_t first = 0; first < runs_.size(); first += fan_in) {
      std::span<std::unique_ptr<Run>> span(runs_.data() + first, std::min(fan_in, runs_.size() - first));
      RunWriter w(file, near_path_);
      merge_runs(span, window_budget, [&](const Run& r) { w.add(r.key, r.group, r.timestamp, r.rest); });
      merged.push_back(w.finish(merged.size()));
    }
    runs_ = std::move(merged);  // the last reference to the previous file
    spill_file_ = std::move(file);
    timeline::mark("writer", "drain: merge pass done");
  }
  // Last in the order of add, so last to win ties.
  if (last_in_memory_) {
    timeline::mark("writer", "drain: the last buffer merged from memory");
    runs_.push_back(std::make_unique<Run>(*filling_, runs_.size()));
  }
  if (background_) {
    merge_in_background(fn, idle, window_budget);
  } else {
    merge_runs(runs_, window_budget, [&](const Run& r) {
      std::string_view data = parse_rest(r.rest, indexes);
      fn(SortedEvent{r.key, r.group, r.timestamp, data, indexes});
    });
  }
  runs_.clear();
  filling_->release();
}

// The final merge on a thread of its own, handing batches of merged records
// to this one, which encodes them meanwhile: merging and encoding overlap
// instead of taking turns on the writer thread. Same records, same order.
// `window_budget` is what the read windows may take (batch_window_budget).
void Sorter::merge_in_background(const std::function<void(const SortedEvent&)>& fn, const std::function<bool()>& idle,
                                 size_t window_budget) {
  BatchQueue queue(kBatchDepth, kBatchResume);
  const size_t max_batch = batch_bytes(budget_);
  timeline::WaitTotal put_wait, take_wait;
  std::thread merger([&] {
    timeline::mark("merger", "start");
    struct End {
      timeline::WaitTotal& wait;
      ~End() {
        timeline::report("merger", "for room in the batch queue", wait.total_ms());
        timeline::mark("merger", "end");
      }
    } end{put_wait};
    try {
      std::string batch;
      batch.reserve(max_batch);
      merge_runs(runs_, window_budget, [&](const Run& r) {
        // Handed on before it would outgrow max_batch (unless one record
        // does), so a batch's buffer is never reallocated past it.
        if (!batch.empty() && batch.size() + r.record_size() > max_batch) {
          put_wait.begin();
          batch = queue.put(std::move(batch));
          put_wait.end();
          batch.reserve(max_batch);
        }
        r.append_record(batch);
      });
      if (!batch.empty()) queue.put(std::move(batch));
      queue.close();
    } catch (const BatchQueue::Cancelled&) {
      queue.close();
    } catch (...) {
      queue.close(std::current_exception());
    }
  });
  // However this thread leaves (fn may throw), the merger stops first.
  struct Stop {
    BatchQueue& queue;
    std::thread& thread;
    ~Stop() {
      queue.cancel();
      thread.join();
    }
  } stop{queue, merger};
  std::vector<IndexEntry> indexes;
  std::string batch;
  for (;;) {
    // The queue ran dry: the caller's other work (compressing chunks) before
    // sleeping, so this thread's core is not idle while the merger catches up.
    bool ended = false;
    if (!queue.try_take(batch, ended)) {
      if (ended) break;
      if (idle && idle()) continue;
      take_wait.begin();
      bool more = queue.take(batch);
      take_wait.end();
      if (!more) break;
    }
    format::Cursor c(batch);
    std::string_view key, group, rest;
    int64_t ts;
    while (read_record(c, key, group, ts, rest)) {  // whole records: Run::next parsed each
      std::string_view data = parse_rest(rest, indexes);
      fn(SortedEvent{key, group, ts, data, indexes});
    }
  }
  timeline::report("writer", "for merged batches", take_wait.total_ms());
  timeline::mark("writer", "drain: merged");
}

void Sorter::merge_runs(std::span<std::unique_ptr<Run>> runs, size_t budget,
                        const std::function<void(const Run&)>& fn) {
  const size_t window = std::clamp<size_t>(budget / runs.size(), kMinWindow, 1 << 20);
  auto later = [](const Run* a, const Run* b) {  // the heap's top is the smallest; ties go to the earlier run
    int c = compare(a->key, a->group, a->timestamp, b->key, b->group, b->timestamp);
    return c != 0 ? c > 0 : a->index > b->index;
  };
  std::vector<Run*> heap;
  for (auto& r : runs) {
    r->start(window);
    if (r->next()) heap.push_back(r.get());
  }
  std::make_heap(heap.begin(), heap.end(), later);
  while (!heap.empty()) {
    Run* top = heap.front();
    fn(*top);
    if (!top->next()) {
      std::pop_heap(heap.begin(), heap.end(), later);
      heap.pop_back();
      continue;
    }
    // The top's run moves on: sift it down from the root, which stops at
    // once while it stays the smallest (a key's events come in stretches
    // from one run), where a pop and a push would cost two full passes.
    const size_t n = heap.size();
    size_t i = 0;
    for (size_t c; (c = 2 * i + 1) < n; i = c) {
      if (c + 1 < n && later(heap[c], heap[c + 1])) c++;
      if (!later(top, heap[c])) break;
      heap[i] = heap[c];
    }
    heap[i] = top;
  }
  for (auto& r : runs) r->release();
}

}  // namespace esdb
