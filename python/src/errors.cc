#include "errors.h"

#include <cerrno>
#include <string>

#include "esdb/error.h"

namespace esdb::py {
namespace {

namespace pyb = pybind11;

PyObject* g_classes[5] = {};  // by Errc; module-lifetime references

PyObject* make_class(pyb::module_& m, const char* name, PyObject* bases, const char* doc) {
  std::string full = std::string("esdb.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(full.c_str(), doc, bases, nullptr);
  if (!cls) throw pyb::error_already_set();
  m.add_object(name, pyb::handle(cls));
  return cls;
}

void raise(const esdb::Error& e) {
  PyObject* cls = g_classes[static_cast<int>(e.code())];
  // io and exists are OSErrors: (errno, strerror, filename) gives them the
  // errno, filename and message Python code expects of one.
  const std::string message = e.offset() == esdb::Error::kNoOffset
                                  ? e.detail()
                                  : "offset " + std::to_string(e.offset()) + ": " + e.detail();
  PyObject* exc = e.code() == Errc::io       ? PyObject_CallFunction(cls, "iss", EIO, message.c_str(), e.path().c_str())
                  : e.code() == Errc::exists ? PyObject_CallFunction(cls, "iss", EEXIST, message.c_str(), e.path().c_str())
                                             : PyObject_CallFunction(cls, "s", e.what());
  if (!exc) return;  // the call set an error already
  pyb::handle h(exc);
  h.attr("code") = errc_name(e.code());
  h.attr("path") = e.path();
  if (e.offset() == esdb::Error::kNoOffset) {
    h.attr("offset") = pyb::none();
  } else {
    h.attr("offset") = e.offset();
  }
  h.attr("detail") = e.detail();
  PyErr_SetObject(cls, exc);
  Py_DECREF(exc);
}

}  // namespace

void set_error_from_current_exception() {
  try {
    throw;
  } catch (pyb::error_already_set& e) {
    e.restore();
  } catch (const pyb::builtin_exception& e) {
    e.set_error();
  } catch (const esdb::Error& e) {
    raise(e);
  } catch (const std::bad_alloc&) {
    PyErr_NoMemory();
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
}

void register_errors(pyb::module_& m) {
  PyObject* base = make_class(m, "Error", PyExc_Exception,
                              "Every esdb failure: .code, .path, .offset (None if none applies), .detail.");
  auto with = [&](PyObject* other) {
    return pyb::make_tuple(pyb::handle(base), pyb::handle(other)).release().ptr();
  };
  g_classes[static_cast<int>(Errc::io)] =
      make_class(m, "IoError", with(PyExc_OSError), "The operating system refused (open, read, write, rename).");
  g_classes[static_cast<int>(Errc::corrupt)] =
      make_class(m, "CorruptError", base, "The bytes contradict the format (SPEC.md).");
  g_classes[static_cast<int>(Errc::unsupported)] =
      make_class(m, "UnsupportedError", base, "A newer format version or required feature.");
  g_classes[static_cast<int>(Errc::invalid_argument)] =
      make_class(m, "InvalidArgumentError", with(PyExc_ValueError), "The caller broke a documented limit or rule.");
  g_classes[static_cast<int>(Errc::exists)] =
      make_class(m, "ExistsError", with(PyExc_FileExistsError), "The destination exists and overwrite was not asked for.");
  pyb::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const esdb::Error& e) {
      raise(e);
    }
  });
}

}  // namespace esdb::py
