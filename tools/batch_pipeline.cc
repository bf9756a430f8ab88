#include "batch_pipeline.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "record_batcher.h"

namespace esdb::cli {
namespace {

// Batches go round: free -> filled by the reader -> consumed -> free.
class BatchQueue {
 public:
  explicit BatchQueue(std::vector<RecordBatch>& pool) {
    for (RecordBatch& b : pool) free_.push_back(&b);
  }

  // Reader side. nullptr once the consumer has stopped.
  RecordBatch* take_free() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return stopped_ || !free_.empty(); });
    if (stopped_) return nullptr;
    RecordBatch* b = free_.front();
    free_.pop_front();
    return b;
  }
  void put_filled(RecordBatch* b) { push(filled_, b); }
  void put_free(RecordBatch* b) { push(free_, b); }
  void finish(std::exception_ptr error) {
    std::lock_guard lock(mu_);
    done_ = true;
    error_ = std::move(error);
    changed_.notify_all();
  }

  // Consumer side. nullptr at the end; rethrows the reader's exception.
  RecordBatch* take_filled() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return done_ || !filled_.empty(); });
    if (!filled_.empty()) {
      RecordBatch* b = filled_.front();
      filled_.pop_front();
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
  void push(std::deque<RecordBatch*>& q, RecordBatch* b) {
    std::lock_guard lock(mu_);
    q.push_back(b);
    changed_.notify_all();
  }

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<RecordBatch*> free_, filled_;
  bool done_ = false, stopped_ = false;
  std::exception_ptr error_;
};

// Stops and joins the reading thread however the consumer leaves.
struct Joiner {
  BatchQueue& queue;
  std::thread& thread;
  ~Joiner() {
    queue.stop();
    thread.join();
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

  std::vector<RecordBatch> pool(kPipelineDepth);
  BatchQueue queue(pool);
  std::thread reader([&] {
    try {
      uint64_t bytes_done = 0;
      for (const std::string& path : inputs) {
        RecordBatcher batcher(path, format, spec);
        while (true) {
          RecordBatch* b = queue.take_free();
          if (b == nullptr) return;  // the consumer gave up
          if (!batcher.next(*b)) {
            queue.put_free(b);
            break;
          }
          b->bytes_read += bytes_done;
          queue.put_filled(b);
        }
        bytes_done += batcher.bytes_read();
      }
      queue.finish(nullptr);
    } catch (...) {
      queue.finish(std::current_exception());
    }
  });
  Joiner joiner{queue, reader};
  while (RecordBatch* b = queue.take_filled()) {
    consume(*b);
    queue.put_free(b);
  }
}

}  // namespace esdb::cli
