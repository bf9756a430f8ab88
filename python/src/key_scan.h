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

// A scan may read as it starts (an index block, a DirKey's parts, a remote
// key's first bytes over the network), so it starts without the GIL: other
// threads run meanwhile, and an in-process server can answer.
template <class K>
pyb::object scan_of(pyb::object self, pyb::handle group, pyb::handle index, pyb::handle start, pyb::handle end,
                    bool reverse, bool with_indexes) {
  const K& k = self.cast<const K&>();
  auto o = scan_options(group, index, start, end, reverse, with_indexes);
  std::optional<Scan> started;
  {
    pyb::gil_scoped_release nogil;
    started.emplace(k.scan(o->options));
  }
  Scan s = std::move(*started);
  return wrap_event_iter(std::make_unique<EventIter>(std::move(self), std::move(o), std::move(s)));
}

}  // namespace esdb::py
