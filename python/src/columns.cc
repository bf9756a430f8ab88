// The columnar fast path: a scan of a key, a key range of a file or a whole
// MultiReader into numpy arrays, with no Python object per event. Keys and
// groups become codes into small tables (pandas Categoricals); data is one
// byte buffer plus offsets, or, on request, one bytes/str object per event
// made here in C. The scan itself runs with the GIL released.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <unordered_map>

#include "big_alloc.h"
#include "bindings.h"
#include "convert.h"
#include "esdb/esdb.h"
#include "scan_options.h"

namespace esdb::py {
namespace {

template <class T>
using Column = std::vector<T, BigAllocator<T>>;
using Bytes = std::basic_string<char, std::char_traits<char>, BigAllocator<char>>;

struct Columns {
  std::vector<std::string> keys;
  Column<int32_t> key_codes;
  std::vector<std::string> groups;
  std::unordered_map<std::string, int32_t> group_ids;
  Column<int32_t> group_codes;
  Column<int64_t> timestamps;
  Column<int64_t> data_offsets{0};
  Bytes data;
  uint64_t limit = ~uint64_t{0};

  // Growing the columns costs page faults and copies; a whole-file scan
  // knows its size from the footer.
  void reserve(uint64_t events, uint64_t bytes) {
    events = std::min<uint64_t>(events, limit);
    key_codes.reserve(events);
    group_codes.reserve(events);
    timestamps.reserve(events);
    data_offsets.reserve(events + 1);
    data.reserve(bytes);
  }

  template <class K>
  void add_key(const K& k, const ScanOptions& o) {
    int32_t key_code = -1;
    int32_t group_code = -1;
    std::string_view last_group;
    Scan s = k.scan(o);
    while (timestamps.size() < limit && s.next()) {
      const Event& e = s.event();
      if (key_code < 0) {
        key_code = static_cast<int32_t>(keys.size());
        keys.emplace_back(k.name());
      }
      if (group_code < 0 || e.group != last_group) {
        auto [it, added] = group_ids.try_emplace(std::string(e.group), static_cast<int32_t>(groups.size()));
        if (added) groups.emplace_back(e.group);
        group_code = it->second;
        last_group = it->first;
      }
      key_codes.push_back(key_code);
      group_codes.push_back(group_code);
      timestamps.push_back(e.timestamp);
      data += e.data;
      data_offsets.push_back(static_cast<int64_t>(data.size()));
    }
  }
};

// Hands a vector to numpy without copying it.
template <class T>
pyb::array_t<T> to_array(Column<T>&& v) {
  auto* owned = new Column<T>(std::move(v));
  pyb::capsule free(owned, [](void* p) { delete static_cast<Column<T>*>(p); });
  return pyb::array_t<T>({owned->size()}, {sizeof(T)}, owned->data(), free);
}

pyb::array bytes_array(Bytes&& s) {
  auto* owned = new Bytes(std::move(s));
  pyb::capsule free(owned, [](void* p) { delete static_cast<Bytes*>(p); });
  return pyb::array_t<uint8_t>({owned->size()}, {1}, reinterpret_cast<const uint8_t*>(owned->data()), free);
}

pyb::list text_list(const std::vector<std::string>& v) {
  pyb::list out;
  for (const std::string& s : v) out.append(pyb::reinterpret_steal<pyb::object>(new_text(s)));
  return out;
}

// One object per event in an object array: what pandas needs for a column.
pyb::array data_objects(const Columns& c, const std::string& kind) {
  const size_t n = c.timestamps.size();
  pyb::array out(pyb::dtype("O"), std::vector<pyb::ssize_t>{static_cast<pyb::ssize_t>(n)});
  auto** slots = static_cast<PyObject**>(out.mutable_data());
  for (size_t i = 0; i < n; i++) {
    std::string_view d(c.data.data() + c.data_offsets[i], static_cast<size_t>(c.data_offsets[i + 1] - c.data_offsets[i]));
    PyObject* o = kind == "str" ? new_text(d) : new_bytes(d);
    Py_XDECREF(slots[i]);  // numpy filled the array with None
    slots[i] = o;
  }
  return out;
}

pyb::dict to_python(Columns&& c, const std::string& data) {
  pyb::dict out;
  if (data != "offsets" && data != "bytes" && data != "str")
    throw pyb::value_error("data must be \"bytes\", \"str\" or \"offsets\"");
  out["keys"] = text_list(c.keys);
  out["groups"] = text_list(c.groups);
  if (data == "offsets") {
    out["data"] = bytes_array(std::move(c.data));
    out["data_offsets"] = to_array(std::move(c.data_offsets));
  } else {
    out["data"] = data_objects(c, data);
  }
  out["key_codes"] = to_array(std::move(c.key_codes));
  out["group_codes"] = to_array(std::move(c.group_codes));
  out["timestamp"] = to_array(std::move(c.timestamps));
  return out;
}

template <class Fn>
pyb::dict collect(pyb::handle group, pyb::handle index, pyb::handle start, pyb::handle end, bool reverse,
                  const std::string& data, std::optional<uint64_t> limit, Fn&& each_key) {
  auto o = scan_options(group, index, start, end, reverse, false);
  Columns c;
  if (limit) c.limit = *limit;
  {
    pyb::gil_scoped_release nogil;
    each_key(c, o->options);
  }
  return to_python(std::move(c), data);
}

#define ESDB_COLUMN_ARGS                                                                            \
  pyb::arg("group") = pyb::none(), pyb::arg("index") = pyb::none(), pyb::arg("start") = pyb::none(), \
      pyb::arg("end") = pyb::none(), pyb::arg("reverse") = false, pyb::arg("data") = "bytes",       \
      pyb::arg("limit") = pyb::none()

}  // namespace

void register_columns(pyb::module_& m) {
  m.def("_key_columns", [](const Key& k, pyb::handle group, pyb::handle index, pyb::handle start, pyb::handle end,
                           bool reverse, const std::string& data, std::optional<uint64_t> limit) {
    return collect(group, index, start, end, reverse, data, limit,
                   [&](Columns& c, const ScanOptions& o) { c.add_key(k, o); });
  }, pyb::arg("key"), pyb::kw_only(), ESDB_COLUMN_ARGS);
  m.def("_multikey_columns", [](const MultiKey& k, pyb::handle group, pyb::handle index, pyb::handle start,
                                pyb::handle end, bool reverse, const std::string& data, std::optional<uint64_t> limit) {
    return collect(group, index, start, end, reverse, data, limit,
                   [&](Columns& c, const ScanOptions& o) { c.add_key(k, o); });
  }, pyb::arg("key"), pyb::kw_only(), ESDB_COLUMN_ARGS);
  // Keys [key_start, key_stop) of the file in stored order (a Dask partition
  // of a large file), or all of them.
  m.def("_reader_columns", [](const Reader& r, uint64_t key_start, std::optional<uint64_t> key_stop,
                              pyb::handle group, pyb::handle index, pyb::handle start, pyb::handle end, bool reverse,
                              const std::string& data, std::optional<uint64_t> limit) {
    return collect(group, index, start, end, reverse, data, limit, [&](Columns& c, const ScanOptions& o) {
      if (key_start == 0 && !key_stop) c.reserve(r.stats().event_count, r.stats().data_bytes);
      uint64_t i = 0;
      const uint64_t stop = key_stop.value_or(~uint64_t{0});
      for (const Key& k : r.keys()) {
        if (i >= stop || c.timestamps.size() >= c.limit) break;
        if (i++ >= key_start) c.add_key(k, o);
      }
    });
  }, pyb::arg("reader"), pyb::kw_only(), pyb::arg("key_start") = 0, pyb::arg("key_stop") = pyb::none(), ESDB_COLUMN_ARGS);
  m.def("_multireader_columns", [](const MultiReader& r, pyb::handle group, pyb::handle index, pyb::handle start,
                                   pyb::handle end, bool reverse, const std::string& data, std::optional<uint64_t> limit) {
    return collect(group, index, start, end, reverse, data, limit, [&](Columns& c, const ScanOptions& o) {
      for (const MultiKey& k : r.keys()) {
        if (c.timestamps.size() >= c.limit) break;
        c.add_key(k, o);
      }
    });
  }, pyb::arg("reader"), pyb::kw_only(), ESDB_COLUMN_ARGS);
  // The given keys' events, key by key in the order given (missing keys
  // contribute nothing): lookup() of many keys at once.
  m.def("_find_columns", [](const Reader& r, std::vector<std::string> keys, pyb::handle group, pyb::handle index,
                            pyb::handle start, pyb::handle end, bool reverse, const std::string& data,
                            std::optional<uint64_t> limit) {
    return collect(group, index, start, end, reverse, data, limit, [&](Columns& c, const ScanOptions& o) {
      for (const std::string& name : keys) {
        if (auto k = r.find(name)) c.add_key(*k, o);
      }
    });
  }, pyb::arg("reader"), pyb::arg("keys"), pyb::kw_only(), ESDB_COLUMN_ARGS);
  m.def("_find_columns", [](const MultiReader& r, std::vector<std::string> keys, pyb::handle group,
                            pyb::handle index, pyb::handle start, pyb::handle end, bool reverse,
                            const std::string& data, std::optional<uint64_t> limit) {
    return collect(group, index, start, end, reverse, data, limit, [&](Columns& c, const ScanOptions& o) {
      for (const std::string& name : keys) {
        if (auto k = r.find(name)) c.add_key(*k, o);
      }
    });
  }, pyb::arg("reader"), pyb::arg("keys"), pyb::kw_only(), ESDB_COLUMN_ARGS);
}

}  // namespace esdb::py
