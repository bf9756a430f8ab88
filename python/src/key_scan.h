// The scan() of every key class (Key, MultiKey, DirKey): one keyword
// surface, one docstring, one way to start the C++ scan.
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <optional>
#include <type_traits>

#include "convert.h"
#include "esdb/archive.h"
#include "scan_iter.h"

namespace esdb::py {

// The keyword surface of every scan(): see kScanDoc.
#define ESDB_SCAN_ARGS                                                                                        \
  pybind11::arg("group") = pybind11::none(), pybind11::arg("index") = pybind11::none(),                       \
  pybind11::arg("start") = pybind11::none(), pybind11::arg("end") = pybind11::none(),                         \
  pybind11::arg("reverse") = false, pybind11::arg("with_indexes") = false

inline constexpr const char* kScanDoc =
    "Events of the key in stored order, (group, timestamp), or the reverse.\n"
    "group: only this group; index: (name, value), only events carrying it;\n"
    "start/end: timestamps in [start, end); with_indexes: fill Event.indexes.";

// A plain scan reads nothing when it starts (the first next() does, without
// the GIL), so it keeps the GIL, like a lookup; one by index reads and
// checks the key's index block first, which may be large: that runs without.
// So does a DirKey's, whose merge reads each part's first event (log
// records with pread) as it starts.
template <class K>
pyb::object scan_of(pyb::object self, pyb::handle group, pyb::handle index, pyb::handle start, pyb::handle end,
                    bool reverse, bool with_indexes) {
  const K& k = self.cast<const K&>();
  auto o = scan_options(group, index, start, end, reverse, with_indexes);
  std::optional<Scan> started;
  if (o->options.index || with_indexes || std::is_same_v<K, DirKey>) {
    pyb::gil_scoped_release nogil;
    started.emplace(k.scan(o->options));
  } else {
    started.emplace(k.scan(o->options));
  }
  Scan s = std::move(*started);
  return wrap_event_iter(std::make_unique<EventIter>(std::move(self), std::move(o), std::move(s)));
}

}  // namespace esdb::py
