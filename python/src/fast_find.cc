#include "fast_find.h"

#include <optional>
#include <string>

#include "convert.h"
#include "errors.h"
#include "esdb/esdb.h"
#include "esdb/remote.h"

namespace esdb::py {
namespace {

namespace detail = pybind11::detail;

const detail::type_info* g_reader = nullptr;
const detail::type_info* g_key = nullptr;

const Reader& reader_of(PyObject* self) {
  detail::type_caster_generic c(g_reader);
  if (!c.load(self, false) || !c.value) throw pyb::type_error("expected an esdb.Reader");
  return *static_cast<const Reader*>(c.value);
}

// The key's probe keeps the GIL for a local file (a sub-microsecond probe
// costs less than releasing it), but not over the network: a remote probe
// waits for requests, and other threads must run meanwhile.
std::optional<Key> probe(PyObject* self, PyObject* key) {
  std::string storage;
  const Reader& reader = reader_of(self);
  const std::string_view name = bytes_of(key, storage, "key");
  if (!is_url(reader.path())) return reader.find(name);
  pyb::gil_scoped_release nogil;
  return reader.find(name);
}

PyObject* key_object(Key&& k) {
  auto move = [](const void* p) -> void* { return new Key(std::move(*const_cast<Key*>(static_cast<const Key*>(p)))); };
  return detail::type_caster_generic::cast(&k, pyb::return_value_policy::move, pyb::handle(), g_key, nullptr, move)
      .ptr();
}

PyObject* find(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  try {
    const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    if (nargs + nkw != 1 ||
        (nkw == 1 && PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0), "key") != 0)) {
      PyErr_SetString(PyExc_TypeError, "find() takes one argument, key");
      return nullptr;
    }
    std::optional<Key> k = probe(self, args[0]);
    if (!k) Py_RETURN_NONE;
    return key_object(std::move(*k));
  } catch (...) {
    set_error_from_current_exception();
    return nullptr;
  }
}

PyObject* getitem(PyObject* self, PyObject* key) {
  try {
    std::optional<Key> k = probe(self, key);
    if (!k) {
      PyErr_SetObject(PyExc_KeyError, key);
      return nullptr;
    }
    return key_object(std::move(*k));
  } catch (...) {
    set_error_from_current_exception();
    return nullptr;
  }
}

PyObject* contains(PyObject* self, PyObject* key) {
  try {
    return PyBool_FromLong(probe(self, key).has_value());
  } catch (...) {
    set_error_from_current_exception();
    return nullptr;
  }
}

PyMethodDef kFind = {"find", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(find)),
                     METH_FASTCALL | METH_KEYWORDS,
                     "find(key) -> Key | None\n\nThe key (str or bytes), found with one hash probe, or None."};
PyMethodDef kGetItem = {"__getitem__", reinterpret_cast<PyCFunction>(getitem), METH_O,
                        "reader[key] -> Key; KeyError if absent."};
PyMethodDef kContains = {"__contains__", reinterpret_cast<PyCFunction>(contains), METH_O, "key in reader"};

}  // namespace

void install_fast_find(pyb::handle reader_class) {
  g_reader = detail::get_type_info(typeid(Reader));
  g_key = detail::get_type_info(typeid(Key));
  if (!g_reader || !g_key) pyb::pybind11_fail("install_fast_find: Reader and Key must be registered first");
  auto* type = reinterpret_cast<PyTypeObject*>(reader_class.ptr());
  for (PyMethodDef* def : {&kFind, &kGetItem, &kContains}) {
    // Setting the attribute on the class also updates the type's slots
    // (mp_subscript, sq_contains) to call these.
    pyb::object m = pyb::reinterpret_steal<pyb::object>(PyDescr_NewMethod(type, def));
    if (!m) throw pyb::error_already_set();
    pyb::setattr(reader_class, def->ml_name, m);
  }
}

}  // namespace esdb::py
