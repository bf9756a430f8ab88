#include "batch_pipeline.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "record_batcher.h"

namespace esdb::cli {
namespace {

// Batches go round: free -> read (one thread at a time, in input order) and
// parsed (on any of the parsing threads at once) -> consumed in the order
// they were read -> free.
class BatchQueue {
 public:
  explicit BatchQueue(std::vector<RecordBatch>& pool) {
    for (RecordBatch& b : pool) free_.push_back(&b);
  }

  // Parser side. nullptr once the consumer has stopped.
  RecordBatch* take_free() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return stopped_ || !free_.empty(); });
    if (stopped_) return nullptr;
    RecordBatch* b = free_.front();
    free_.pop_front();
    return b;
  }
  void put_filled(uint64_t seq, RecordBatch* b) {
    std::lock_guard lock(mu_);
    filled_.emplace(seq, b);
    changed_.notify_all();
  }
  void put_free(RecordBatch* b) {
    std::lock_guard lock(mu_);
    free_.push_back(b);
    changed_.notify_all();
  }
  // No batch `seq` or later: the inputs ended there, or `error` happened
  // reading or parsing it. The earliest such batch wins.
  void finish(uint64_t seq, std::exception_ptr error) {
    std::lock_guard lock(mu_);
    if (seq < end_ || (seq == end_ && error && !error_)) {
      end_ = seq;
      error_ = std::move(error);
    }
    changed_.notify_all();
  }

  // Consumer side. nullptr at the end; rethrows the first exception after
  // the batches before it.
  RecordBatch* take_filled() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return next_ >= end_ || filled_.count(next_); });
    if (next_ < end_) {
      auto it = filled_.find(next_++);
      RecordBatch* b = it->second;
      filled_.erase(it);
      return b;
    }
    if (error_) std::rethrow_exception(error_);
    return nullptr;
  }
  void stop() {
    std::lock_guard lock(mu_);
    stopped_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<RecordBatch*> free_;
  std::map<uint64_t, RecordBatch*> filled_;  // by sequence number
  uint64_t next_ = 0, end_ = UINT64_MAX;
  bool stopped_ = false;
  std::exception_ptr error_;
};

// The inputs, read in turn by whichever parsing thread holds the lock.
class SharedReader {
 public:
  SharedReader(const std::vector<std::string>& inputs, InputFormat format, const FieldSpec& spec)
      : inputs_(inputs), format_(format), spec_(spec) {}

  // Reads the next batch into `b` and numbers it; false at the end. After
  // a read error every later call rethrows it: were another thread to
  // report a clean end at the same number first, the consumer could take
  // the error for the end of the input.
  bool read(RecordBatch& b, uint64_t& seq) {
    std::lock_guard lock(mu_);
    seq = next_seq_;
    if (error_) std::rethrow_exception(error_);
    while (!done_) {
      try {
        if (!current_) {
          if (input_ == inputs_.size()) break;
          current_.emplace(inputs_[input_], format_, spec_);
        }
        if (current_->read(b)) {
          b.bytes_read += bytes_done_;
          next_seq_++;
          return true;
        }
      } catch (...) {
        done_ = true;
        error_ = std::current_exception();
        throw;
      }
      bytes_done_ += current_->bytes_read();
      current_.reset();
      input_++;
    }
    done_ = true;
    return false;
  }

 private:
  std::mutex mu_;
  const std::vector<std::string>& inputs_;
  InputFormat format_;
  const FieldSpec& spec_;
  size_t input_ = 0;
  std::optional<RecordBatcher> current_;
  uint64_t bytes_done_ = 0, next_seq_ = 0;
  bool done_ = false;
  std::exception_ptr error_;
};

void parse_batches(SharedReader& reader, BatchQueue& queue, const FieldSpec& spec) {
  BatchParser parser(spec);
  while (RecordBatch* b = queue.take_free()) {
    uint64_t seq = 0;
    try {
      if (!reader.read(*b, seq)) {
        queue.put_free(b);
        queue.finish(seq, nullptr);
        return;
      }
      parser.parse(*b);
    } catch (...) {
      queue.put_free(b);
      queue.finish(seq, std::current_exception());
      return;
    }
    queue.put_filled(seq, b);
  }
}

// Stops and joins the parsing threads however the consumer leaves.
struct Joiner {
  BatchQueue& queue;
  std::vector<std::thread>& threads;
  ~Joiner() {
    queue.stop();
    for (std::thread& t : threads) t.join();
  }
};

}  // namespace

void for_each_batch(const std::vector<std::string>& inputs, InputFormat format, const FieldSpec& spec,
                    bool threaded, const std::function<void(const RecordBatch&)>& consume) {
  if (!threaded) {
    RecordBatch batch;
    uint64_t bytes_done = 0;
    for (const std::string& path : inputs) {
      RecordBatcher batcher(path, format, spec);
      while (batcher.next(batch)) {
        batch.bytes_read += bytes_done;
        consume(batch);
      }
      bytes_done += batcher.bytes_read();
    }
    return;
  }

  std::vector<RecordBatch> pool(kPipelineDepth * kParsers);
  BatchQueue queue(pool);
  SharedReader reader(inputs, format, spec);
  std::vector<std::thread> threads;
  Joiner joiner{queue, threads};
  for (size_t i = 0; i < kParsers; i++) threads.emplace_back([&] { parse_batches(reader, queue, spec); });
  while (RecordBatch* b = queue.take_filled()) {
    consume(*b);
    queue.put_free(b);
  }
}

}  // namespace esdb::cli
