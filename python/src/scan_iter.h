// The Python iterator over a Scan, yielding esdb.Event tuples. Events are
// decoded a batch at a time with the GIL released (copied into one arena),
// then handed out as named tuples (a PyStructSequence: a tuple, built with
// no Python call per event).
#pragma once

#include <pybind11/pybind11.h>

#include <memory>

#include "esdb/esdb.h"
#include "scan_options.h"

namespace esdb::py {

class EventIter {
 public:
  // `owner` keeps the Key/MultiKey (and its file) alive.
  EventIter(pybind11::object owner, std::unique_ptr<OwnedScanOptions> options, Scan scan);
  ~EventIter();
  // A new reference, or nullptr at the end (no exception set).
  PyObject* next();

 private:
  struct Row {
    size_t group_at, group_len, data_at, data_len, indexes_at, indexes_len;
    int64_t timestamp;
    uint64_t ordinal;
  };
  void fill();

  pybind11::object owner_;
  std::unique_ptr<OwnedScanOptions> options_;
  Scan scan_;
  bool done_ = false;
  bool busy_ = false;  // fill() runs without the GIL
  std::string arena_;
  std::vector<Row> rows_;
  std::vector<std::pair<size_t, size_t>> index_spans_;  // (at, len) name, then value
  size_t pos_ = 0;
  PyObject* key_ = nullptr;    // the key's name: the same for every event
  PyObject* group_ = nullptr;  // the last group made, reused while it repeats
  std::string group_bytes_;
};

// The Python esdb.EventIterator owning `it`: a native type whose tp_iternext
// calls EventIter::next directly, so an event costs no pybind11 dispatch and
// the end of a scan no C++ exception.
pybind11::object wrap_event_iter(std::unique_ptr<EventIter> it);

// Event / Group / IndexValue types (structseq), created by register_scan_iter.
PyObject* new_group_info(const GroupInfo& g);
PyObject* new_index_value(const IndexValue& v);

}  // namespace esdb::py
