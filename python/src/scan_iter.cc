#include "scan_iter.h"

#include "bindings.h"
#include "errors.h"

namespace esdb::py {
namespace {

PyTypeObject* g_event = nullptr;
PyTypeObject* g_group = nullptr;
PyTypeObject* g_index_value = nullptr;

PyStructSequence_Field kEventFields[] = {
    {"key", "the key (str)"},
    {"group", "the group, \"\" by default (str)"},
    {"timestamp", "signed 64-bit"},
    {"data", "the payload (bytes)"},
    {"ordinal", "position of the event within its key"},
    {"indexes", "((name, value), ...) when scanned with with_indexes, else ()"},
    {nullptr, nullptr}};
PyStructSequence_Desc kEventDesc = {"esdb.Event", "One event of a scan.", kEventFields, 6};

PyStructSequence_Field kGroupFields[] = {
    {"name", "str"}, {"event_count", nullptr}, {"min_timestamp", nullptr}, {"max_timestamp", nullptr}, {nullptr, nullptr}};
PyStructSequence_Desc kGroupDesc = {"esdb.Group", "One group of a key.", kGroupFields, 4};

PyStructSequence_Field kIndexValueFields[] = {
    {"name", "str"}, {"value", "str"}, {"count", "events of the key carrying it"}, {nullptr, nullptr}};
PyStructSequence_Desc kIndexValueDesc = {"esdb.IndexValue", "One index entry of a key.", kIndexValueFields, 3};

PyTypeObject* new_type(PyStructSequence_Desc* d) {
  PyTypeObject* t = PyStructSequence_NewType(d);
  if (!t) throw pyb::error_already_set();
  return t;
}

constexpr size_t kBatch = 512;

struct PyEventIter {
  PyObject_HEAD
  EventIter* it;
};

PyTypeObject* g_event_iter = nullptr;

PyObject* event_iter_next(PyObject* self) {
  try {
    return reinterpret_cast<PyEventIter*>(self)->it->next();  // nullptr, no error set: the end
  } catch (...) {
    set_error_from_current_exception();
    return nullptr;
  }
}

void event_iter_dealloc(PyObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  delete reinterpret_cast<PyEventIter*>(self)->it;
  type->tp_free(self);
  Py_DECREF(type);  // a heap type is owned by its instances
}

PyType_Slot kEventIterSlots[] = {
    {Py_tp_iter, reinterpret_cast<void*>(PyObject_SelfIter)},
    {Py_tp_iternext, reinterpret_cast<void*>(event_iter_next)},
    {Py_tp_dealloc, reinterpret_cast<void*>(event_iter_dealloc)},
    {Py_tp_doc, const_cast<char*>("Events of one scan, in scan order; iterate it once.")},
    {0, nullptr}};
PyType_Spec kEventIterSpec = {"esdb.EventIterator", sizeof(PyEventIter), 0, Py_TPFLAGS_DEFAULT, kEventIterSlots};

}  // namespace

pyb::object wrap_event_iter(std::unique_ptr<EventIter> it) {
  PyEventIter* o = PyObject_New(PyEventIter, g_event_iter);
  if (!o) throw pyb::error_already_set();
  o->it = it.release();
  return pyb::reinterpret_steal<pyb::object>(reinterpret_cast<PyObject*>(o));
}

EventIter::EventIter(pyb::object owner, std::unique_ptr<OwnedScanOptions> options, Scan scan)
    : owner_(std::move(owner)), options_(std::move(options)), scan_(std::move(scan)) {
  rows_.reserve(64);  // a typical key's history without regrowing
  arena_.reserve(4096);
}

EventIter::~EventIter() {
  Py_XDECREF(key_);
  Py_XDECREF(group_);
}

void EventIter::fill() {
  rows_.clear();
  index_spans_.clear();
  arena_.clear();
  pos_ = 0;
  std::string key_name;
  busy_ = true;
  struct Done {
    bool& b;
    ~Done() { b = false; }
  } done{busy_};
  {
    pyb::gil_scoped_release nogil;  // decompression and posting walks happen here
    while (rows_.size() < kBatch) {
      if (!scan_.next()) {
        done_ = true;
        break;
      }
      const Event& e = scan_.event();
      if (!key_ && key_name.empty()) key_name = e.key;
      Row r{arena_.size(), e.group.size(), 0, e.data.size(), index_spans_.size(), e.indexes.size(),
            e.timestamp, e.ordinal};
      arena_ += e.group;
      r.data_at = arena_.size();
      arena_ += e.data;
      for (const IndexEntry& ie : e.indexes) {
        index_spans_.emplace_back(arena_.size(), ie.name.size());
        arena_ += ie.name;
        index_spans_.emplace_back(arena_.size(), ie.value.size());
        arena_ += ie.value;
      }
      rows_.push_back(r);
    }
  }
  if (!key_ && !rows_.empty()) key_ = new_text(key_name);
}

PyObject* EventIter::next() {
  // fill() releases the GIL: a second thread calling next() on this same
  // iterator meanwhile would race on it, so it is refused (like a generator
  // already executing).
  if (busy_) throw pyb::value_error("this event iterator is already running in another thread");
  if (pos_ == rows_.size()) {
    if (done_) return nullptr;
    fill();
    if (rows_.empty()) return nullptr;
  }
  const Row& r = rows_[pos_++];
  std::string_view group(arena_.data() + r.group_at, r.group_len);
  if (!group_ || group != group_bytes_) {
    Py_XDECREF(group_);
    group_ = nullptr;
    group_ = new_text(group);
    group_bytes_ = group;
  }
  PyObject* ev = PyStructSequence_New(g_event);
  if (!ev) throw pyb::error_already_set();
  pyb::object guard = pyb::reinterpret_steal<pyb::object>(ev);
  Py_INCREF(key_);
  PyStructSequence_SET_ITEM(ev, 0, key_);
  Py_INCREF(group_);
  PyStructSequence_SET_ITEM(ev, 1, group_);
  PyStructSequence_SET_ITEM(ev, 2, PyLong_FromLongLong(r.timestamp));
  PyStructSequence_SET_ITEM(ev, 3, new_bytes(std::string_view(arena_.data() + r.data_at, r.data_len)));
  PyStructSequence_SET_ITEM(ev, 4, PyLong_FromUnsignedLongLong(r.ordinal));
  PyObject* idx = PyTuple_New(static_cast<Py_ssize_t>(r.indexes_len));
  PyStructSequence_SET_ITEM(ev, 5, idx);
  if (!idx) throw pyb::error_already_set();
  for (size_t i = 0; i < r.indexes_len; i++) {
    auto [na, nl] = index_spans_[r.indexes_at + 2 * i];
    auto [va, vl] = index_spans_[r.indexes_at + 2 * i + 1];
    PyObject* pair = PyTuple_New(2);
    PyTuple_SET_ITEM(idx, static_cast<Py_ssize_t>(i), pair);
    PyTuple_SET_ITEM(pair, 0, new_text(std::string_view(arena_.data() + na, nl)));
    PyTuple_SET_ITEM(pair, 1, new_text(std::string_view(arena_.data() + va, vl)));
  }
  return guard.release().ptr();
}

PyObject* new_group_info(const GroupInfo& g) {
  PyObject* o = PyStructSequence_New(g_group);
  if (!o) throw pyb::error_already_set();
  PyStructSequence_SET_ITEM(o, 0, new_text(g.name));
  PyStructSequence_SET_ITEM(o, 1, PyLong_FromUnsignedLongLong(g.event_count));
  PyStructSequence_SET_ITEM(o, 2, PyLong_FromLongLong(g.min_timestamp));
  PyStructSequence_SET_ITEM(o, 3, PyLong_FromLongLong(g.max_timestamp));
  return o;
}

PyObject* new_index_value(const IndexValue& v) {
  PyObject* o = PyStructSequence_New(g_index_value);
  if (!o) throw pyb::error_already_set();
  PyStructSequence_SET_ITEM(o, 0, new_text(v.name));
  PyStructSequence_SET_ITEM(o, 1, new_text(v.value));
  PyStructSequence_SET_ITEM(o, 2, PyLong_FromUnsignedLongLong(v.count));
  return o;
}

void register_scan_iter(pyb::module_& m) {
  g_event = new_type(&kEventDesc);
  g_group = new_type(&kGroupDesc);
  g_index_value = new_type(&kIndexValueDesc);
  m.add_object("Event", pyb::handle(reinterpret_cast<PyObject*>(g_event)));
  m.add_object("Group", pyb::handle(reinterpret_cast<PyObject*>(g_group)));
  m.add_object("IndexValue", pyb::handle(reinterpret_cast<PyObject*>(g_index_value)));
  g_event_iter = reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&kEventIterSpec));
  if (!g_event_iter) throw pyb::error_already_set();
  m.add_object("EventIterator", pyb::handle(reinterpret_cast<PyObject*>(g_event_iter)));
}

}  // namespace esdb::py
