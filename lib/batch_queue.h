// A bounded queue of byte batches from one producer thread to one consumer,
// in order: the Sorter's final merge fills batches of merged records on a
// thread of its own while the writer thread encodes the previous ones. The
// producer's error reaches the consumer after every batch before it; a
// consumer that stops early cancels the producer, whose next put() throws
// Cancelled. Batch buffers go back to the producer for reuse.
//
// A producer that found the queue full sleeps until it is down to `resume`
// batches, not until one slot frees: on two busy cores a woken thread waits
// for a time slice, and waking the producer for every batch taken left the
// consumer waiting on an empty queue for a third of the final merge (#12,
// the build timeline in BENCHMARKS.md).
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

namespace esdb {

class BatchQueue {
 public:
  struct Cancelled {};

  BatchQueue(size_t depth, size_t resume) : depth_(depth), resume_(std::min(resume, depth - 1)) {}

  // Producer: queues `batch` (waiting while `depth` are queued) and returns an
  // empty buffer to fill next.
  std::string put(std::string batch) {
    std::unique_lock<std::mutex> lock(mu_);
    if (full_.size() >= depth_) space_.wait(lock, [&] { return cancelled_ || full_.size() <= resume_; });
    if (cancelled_) throw Cancelled{};
    full_.push_back(std::move(batch));
    ready_.notify_one();
    std::string next;
    if (!spare_.empty()) {
      next = std::move(spare_.back());
      spare_.pop_back();
    }
    next.clear();
    return next;
  }
  // Producer: no more batches; `error` (if any) is rethrown by the consumer.
  void close(std::exception_ptr error = nullptr) {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    error_ = error;
    ready_.notify_one();
  }

  // Consumer: the next batch into `batch` (whose old buffer is recycled);
  // false at the end. Rethrows the producer's error.
  bool take(std::string& batch) {
    std::unique_lock<std::mutex> lock(mu_);
    if (batch.capacity() > 0) spare_.push_back(std::move(batch));
    ready_.wait(lock, [&] { return !full_.empty() || closed_; });
    if (full_.empty()) {
      if (error_) std::rethrow_exception(error_);
      return false;
    }
    batch = std::move(full_.front());
    full_.pop_front();
    if (full_.size() == resume_) space_.notify_one();
    return true;
  }
  // Consumer: like take(), but false at once when no batch is queued yet
  // (`ended` says whether one ever will be).
  bool try_take(std::string& batch, bool& ended) {
    std::unique_lock<std::mutex> lock(mu_);
    ended = full_.empty() && closed_;
    if (full_.empty()) {
      if (ended && error_) std::rethrow_exception(error_);
      return false;
    }
    if (batch.capacity() > 0) spare_.push_back(std::move(batch));
    batch = std::move(full_.front());
    full_.pop_front();
    if (full_.size() == resume_) space_.notify_one();
    return true;
  }
  // Consumer: stop the producer (its next put() throws Cancelled).
  void cancel() {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    space_.notify_one();
  }

 private:
  const size_t depth_, resume_;
  std::mutex mu_;
  std::condition_variable ready_, space_;
  std::deque<std::string> full_;
  std::vector<std::string> spare_;
  bool closed_ = false, cancelled_ = false;
  std::exception_ptr error_;
};

}  // namespace esdb
