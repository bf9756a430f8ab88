#include "convert.h"

namespace esdb::py {

namespace {

// The bytes of str/bytes without a copy where Python already holds them;
// otherwise (a str with lone surrogates, a bytearray or memoryview) a copy
// made by `keep`, which returns a view of where it kept it.
template <class Keep>
std::string_view view_of(pyb::handle obj, const char* what, Keep&& keep) {
  PyObject* o = obj.ptr();
  if (PyBytes_Check(o)) return {PyBytes_AS_STRING(o), static_cast<size_t>(PyBytes_GET_SIZE(o))};
  if (PyUnicode_Check(o)) {
    Py_ssize_t n = 0;
    // The cached UTF-8 form: no copy for the common case.
    if (const char* p = PyUnicode_AsUTF8AndSize(o, &n)) return {p, static_cast<size_t>(n)};
    PyErr_Clear();  // lone surrogates: the bytes surrogateescape stands for
    PyObject* b = PyUnicode_AsEncodedString(o, "utf-8", "surrogateescape");
    if (!b) throw pyb::error_already_set();
    pyb::object owned = pyb::reinterpret_steal<pyb::object>(b);
    return keep(std::string(PyBytes_AS_STRING(b), static_cast<size_t>(PyBytes_GET_SIZE(b))));
  }
  if (PyByteArray_Check(o) || PyMemoryView_Check(o)) {
    pyb::buffer_info info = pyb::reinterpret_borrow<pyb::buffer>(obj).request();
    return keep(std::string(static_cast<const char*>(info.ptr), static_cast<size_t>(info.size * info.itemsize)));
  }
  throw pyb::type_error(std::string(what) + " must be str or bytes, not " + Py_TYPE(o)->tp_name);
}

}  // namespace

std::string_view bytes_of(pyb::handle obj, std::deque<std::string>& storage, const char* what) {
  return view_of(obj, what, [&](std::string&& s) -> std::string_view { return storage.emplace_back(std::move(s)); });
}

std::string_view bytes_of(pyb::handle obj, std::string& storage, const char* what) {
  return view_of(obj, what, [&](std::string&& s) -> std::string_view { return storage = std::move(s); });
}

std::string bytes_of(pyb::handle obj, const char* what) {
  std::string storage;
  return std::string(bytes_of(obj, storage, what));
}

PyObject* new_text(std::string_view s) {
  PyObject* r = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "surrogateescape");
  if (!r) throw pyb::error_already_set();
  return r;
}

PyObject* new_bytes(std::string_view s) {
  PyObject* r = PyBytes_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size()));
  if (!r) throw pyb::error_already_set();
  return r;
}

EventInput event_of(pyb::handle key, int64_t timestamp, pyb::handle data, pyb::handle group, pyb::handle indexes,
                    std::deque<std::string>& storage) {
  EventInput e;
  e.key = bytes_of(key, storage, "key");
  e.timestamp = timestamp;
  e.data = bytes_of(data, storage, "data");
  e.group = bytes_of(group, storage, "group");
  for (pyb::handle pair : indexes) {
    if (!PySequence_Check(pair.ptr()) || pyb::len(pair) != 2) {
      throw pyb::value_error("each index entry is a (name, value) pair");
    }
    pyb::sequence p = pyb::reinterpret_borrow<pyb::sequence>(pair);
    e.indexes.push_back({bytes_of(p[0], storage, "index name"), bytes_of(p[1], storage, "index value")});
  }
  return e;
}

void set_compression_or_raise(WriterOptions& options, const std::string& name) {
  if (!set_compression(options, name)) {
    throw pyb::value_error("compression must be snappy, none, zstd or zstd:LEVEL (-7..22), not '" + name + "'");
  }
}

void set_cover(WriterOptions& options, const std::optional<std::vector<std::string>>& covered_indexes,
               std::optional<double> cover_max_share) {
  if (covered_indexes) options.covered_indexes = *covered_indexes;
  if (cover_max_share) options.cover_max_share = *cover_max_share;
}

}  // namespace esdb::py
