// esdb.Writer: the C++ Writer, a context manager. add_many() takes whole
// columns so that a build from Python is not bounded by per-call overhead:
// the rows are turned into views with the GIL held, then added in batches
// with it released.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <optional>

#include "bindings.h"
#include "convert.h"
#include "esdb/esdb.h"

namespace esdb::py {
namespace {

class PyWriter {
 public:
  PyWriter(const std::string& path, bool overwrite, std::optional<size_t> memory_budget,
           std::optional<size_t> chunk_size, bool sorted_input, bool compress, bool sync,
           const std::optional<std::string>& compression, std::optional<size_t> zstd_dictionary_size,
           const std::optional<std::vector<std::string>>& covered_indexes, std::optional<double> cover_max_share)
      : path_(path) {
    WriterOptions o;
    if (compression) set_compression_or_raise(o, *compression);
    if (zstd_dictionary_size) o.zstd_dictionary_size = *zstd_dictionary_size;
    set_cover(o, covered_indexes, cover_max_share);
    o.overwrite = overwrite;
    if (memory_budget) o.memory_budget = *memory_budget;
    if (chunk_size) o.chunk_size = *chunk_size;
    o.sorted_input = sorted_input;
    o.compress = compress;
    o.sync = sync;
    pyb::gil_scoped_release nogil;
    w_.emplace(Writer::create(path, o));
  }

  void add(pyb::handle key, int64_t ts, pyb::handle data, pyb::handle group, pyb::handle indexes) {
    std::deque<std::string> storage;
    const EventInput e = event_of(key, ts, data, group, indexes, storage);
    writer().add(e);
  }

  // Columns of equal length; `groups` may be None, `indexes` maps a name to
  // a column of values (None where a row carries no entry).
  size_t add_many(pyb::handle keys, pyb::handle timestamps, pyb::handle data, pyb::handle groups,
                  pyb::handle indexes) {
    pyb::sequence key_col = fast(keys, "keys");
    auto ts = pyb::array_t<int64_t, pyb::array::c_style | pyb::array::forcecast>::ensure(timestamps);
    if (!ts || ts.ndim() != 1) throw pyb::type_error("timestamps must be a 1-d sequence of integers");
    pyb::sequence data_col = fast(data, "data");
    const size_t n = key_col.size();
    if (static_cast<size_t>(ts.shape(0)) != n || data_col.size() != n)
      throw pyb::value_error("keys, timestamps and data must have the same length");
    std::optional<pyb::sequence> group_col;
    if (!groups.is_none()) {
      group_col = fast(groups, "groups");
      if (group_col->size() != n) throw pyb::value_error("groups must have the same length as keys");
    }
    std::vector<std::pair<std::string, pyb::sequence>> index_cols;
    if (!indexes.is_none()) {
      for (auto item : pyb::dict(pyb::reinterpret_borrow<pyb::object>(indexes))) {
        index_cols.emplace_back(bytes_of(item.first, "index name"), fast(item.second, "index column"));
        if (index_cols.back().second.size() != n) throw pyb::value_error("an index column has another length");
      }
    }
    const int64_t* t = ts.data();
    constexpr size_t kBatch = 4096;
    std::vector<EventInput> batch;
    for (size_t start = 0; start < n; start += kBatch) {
      const size_t end = std::min(n, start + kBatch);
      std::deque<std::string> storage;
      batch.assign(end - start, EventInput{});
      for (size_t i = start; i < end; i++) {
        EventInput& e = batch[i - start];
        e.key = bytes_of(item(key_col, i), storage, "key");
        e.timestamp = t[i];
        e.data = bytes_of(item(data_col, i), storage, "data");
        if (group_col) e.group = bytes_of(item(*group_col, i), storage, "group");
        for (auto& [name, col] : index_cols) {
          pyb::handle v = item(col, i);
          if (!v.is_none()) e.indexes.push_back({name, bytes_of(v, storage, "index value")});
        }
      }
      pyb::gil_scoped_release nogil;
      for (const EventInput& e : batch) writer().add(e);
    }
    return n;
  }

  FileStats finish() {
    Writer& w = writer();
    FileStats s;
    {
      pyb::gil_scoped_release nogil;
      s = w.finish();
    }
    w_.reset();
    finished_ = true;
    return s;
  }

  // Without finish(): the C++ destructor removes every temporary file.
  void abandon() {
    pyb::gil_scoped_release nogil;
    w_.reset();
  }

  bool closed() const { return !w_.has_value(); }
  const std::string& path() const { return path_; }

 private:
  Writer& writer() {
    if (!w_) throw pyb::value_error(path_ + ": the writer is closed (finished or abandoned)");
    return *w_;
  }
  // A list or tuple as is; any other sequence (numpy array, pandas Series)
  // materialised once.
  static pyb::sequence fast(pyb::handle obj, const char* what) {
    PyObject* f = PySequence_Fast(obj.ptr(), what);
    if (!f) throw pyb::error_already_set();
    return pyb::reinterpret_steal<pyb::sequence>(f);
  }
  static pyb::handle item(const pyb::sequence& s, size_t i) {
    return PySequence_Fast_GET_ITEM(s.ptr(), static_cast<Py_ssize_t>(i));
  }

  std::string path_;
  std::optional<Writer> w_;
  bool finished_ = false;
};

}  // namespace

void register_writer(pyb::module_& m) {
  pyb::class_<FileStats>(m, "FileStats", "What a finished file holds (the footer's totals).")
      .def_readonly("format_version", &FileStats::format_version)
      .def_readonly("file_size", &FileStats::file_size)
      .def_readonly("key_count", &FileStats::key_count)
      .def_readonly("event_count", &FileStats::event_count)
      .def_readonly("chunk_count", &FileStats::chunk_count)
      .def_readonly("data_bytes", &FileStats::data_bytes)
      .def_readonly("raw_chunk_bytes", &FileStats::raw_chunk_bytes)
      .def_readonly("stored_chunk_bytes", &FileStats::stored_chunk_bytes)
      .def_readonly("min_timestamp", &FileStats::min_timestamp)
      .def_readonly("max_timestamp", &FileStats::max_timestamp)
      .def_readonly("dictionary_bytes", &FileStats::dictionary_bytes)
      .def("__repr__", [](const FileStats& s) {
        return "FileStats(key_count=" + std::to_string(s.key_count) + ", event_count=" +
               std::to_string(s.event_count) + ", file_size=" + std::to_string(s.file_size) + ")";
      });

  m.def("check_compression", [](const std::string& name) {
    WriterOptions scratch;
    set_compression_or_raise(scratch, name);
  }, pyb::arg("name"), "Raises ValueError unless `name` is a codec Writer takes: snappy, none, zstd, zstd:LEVEL.");

  pyb::class_<PyWriter>(m, "Writer",
                        "Writes one esdb file. Nothing appears at `path` until finish(); used as a\n"
                        "context manager it finishes on a clean exit and removes its temporary\n"
                        "files when the block raises.")
      .def(pyb::init<const std::string&, bool, std::optional<size_t>, std::optional<size_t>, bool, bool, bool,
                     const std::optional<std::string>&, std::optional<size_t>,
                     const std::optional<std::vector<std::string>>&, std::optional<double>>(),
           pyb::arg("path"), pyb::kw_only(), pyb::arg("overwrite") = false, pyb::arg("memory_budget") = pyb::none(),
           pyb::arg("chunk_size") = pyb::none(), pyb::arg("sorted_input") = false, pyb::arg("compress") = true,
           pyb::arg("sync") = true, pyb::arg("compression") = pyb::none(),
           pyb::arg("zstd_dictionary_size") = pyb::none(), pyb::arg("covered_indexes") = pyb::none(),
           pyb::arg("cover_max_share") = pyb::none())
      .def("add", &PyWriter::add, pyb::arg("key"), pyb::arg("timestamp"), pyb::arg("data"), pyb::kw_only(),
           pyb::arg("group") = "", pyb::arg("indexes") = pyb::tuple(),
           "Adds one event. key, group, index names and values: str or bytes; data: bytes or str;\n"
           "indexes: (name, value) pairs. Within a key, events are stored by (group, timestamp,\n"
           "order of add).")
      .def("add_many", &PyWriter::add_many, pyb::arg("keys"), pyb::arg("timestamps"), pyb::arg("data"),
           pyb::kw_only(), pyb::arg("groups") = pyb::none(), pyb::arg("indexes") = pyb::none(),
           "Adds one event per row of equal-length columns (lists, tuples, numpy arrays, pandas\n"
           "Series). indexes: {name: column of values}, None in a column = no entry for that row.\n"
           "Returns the number of rows added.")
      .def("finish", &PyWriter::finish,
           "Writes, fsyncs and renames the file into place; returns its FileStats. The GIL is\n"
           "released meanwhile.")
      .def("abandon", &PyWriter::abandon, "Drops the file being written and its temporary files.")
      .def_property_readonly("closed", &PyWriter::closed)
      .def_property_readonly("path", &PyWriter::path)
      .def("__enter__", [](pyb::object self) { return self; })
      .def("__exit__", [](PyWriter& w, pyb::handle type, pyb::handle, pyb::handle) {
        if (w.closed()) return false;
        if (type.is_none()) {
          w.finish();
        } else {
          w.abandon();
        }
        return false;
      });
}

}  // namespace esdb::py
