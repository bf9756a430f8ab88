// esdb.Archive (the writer of an ingest directory: append, flush, roll into
// sealed files) and esdb.DirReader / esdb.DirKey (the directory read as one:
// sealed files plus the events still only in the open log). A Python ingest
// service appends through one Archive and any number of processes read the
// directory with DirReader (or esdb.MultiReader(dir), which gives one).
#include <pybind11/chrono.h>
#include <pybind11/stl.h>

#include <mutex>
#include <optional>

#include "bindings.h"
#include "convert.h"
#include "esdb/archive.h"
#include "key_scan.h"

namespace esdb::py {
namespace {

using pyb::arg;

pyb::object text(std::string_view s) { return pyb::reinterpret_steal<pyb::object>(new_text(s)); }

std::string fspath(pyb::handle path) { return pyb::str(pyb::module_::import("os").attr("fspath")(path)); }

std::optional<DirKey> find_key(const DirReader& r, pyb::handle key) {
  const std::string name = bytes_of(key, "key");
  pyb::gil_scoped_release nogil;
  return r.find(name);
}

struct DirKeyIter {
  pyb::object owner;  // the DirReader
  std::vector<std::string> names;
  size_t next = 0;
};

Durability durability_of(const std::string& name) {
  if (name == "append") return Durability::every_append;
  if (name == "flush") return Durability::on_flush;
  if (name == "interval") return Durability::interval;
  throw pyb::value_error("durability must be \"append\", \"flush\" or \"interval\", not \"" + name + "\"");
}

// Calls run with the GIL released and one at a time (Archive is not
// thread-safe); a closed archive refuses them.
class PyArchive {
 public:
  PyArchive(const std::string& dir, const ArchiveOptions& o) {
    pyb::gil_scoped_release nogil;
    a_.emplace(Archive::open(dir, o));
    dir_ = dir;
  }

  void append(pyb::handle key, int64_t ts, pyb::handle data, pyb::handle group, pyb::handle indexes) {
    std::deque<std::string> storage;
    const EventInput e = event_of(key, ts, data, group, indexes, storage);
    run([&](Archive& a) { a.append(e); });
  }
  void flush() {
    run([](Archive& a) { a.flush(); });
  }
  pyb::object roll() {
    std::string sealed;
    run([&](Archive& a) { sealed = a.roll(); });
    return sealed.empty() ? pyb::none() : pyb::object(pyb::str(sealed));
  }
  void close(bool seal) {
    if (!a_) return;
    run([&](Archive& a) { seal ? a.close_and_seal() : a.close(); });
    a_.reset();
  }
  const std::string& dir() const { return dir_; }
  std::vector<std::string> notes() {
    std::vector<std::string> n;
    run([&](Archive& a) { n = a.notes(); });
    return n;
  }

 private:
  template <class Fn>
  void run(Fn&& fn) {
    pyb::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(mu_);
    if (!a_) {
      pyb::gil_scoped_acquire gil;
      throw pyb::value_error("the archive is closed");
    }
    fn(*a_);
  }

  std::mutex mu_;
  std::optional<Archive> a_;
  std::string dir_;
};

}  // namespace

void register_archive(pyb::module_& m) {
  pyb::class_<DirKey>(m, "DirKey",
                      "One key of an ingest directory: its parts in the sealed files and the logs;\n"
                      "scans merge them by (group, timestamp), equal times in append order.")
      .def_property_readonly("name", [](const DirKey& k) { return text(k.name()); })
      .def_property_readonly("event_count", &DirKey::event_count)
      .def("groups", [](const DirKey& k) {
        pyb::list out;
        for (const std::string& g : k.groups()) out.append(text(g));
        return out;
      }, "The key's group names, byte-wise sorted (\"\" for the default group).")
      .def("scan", &scan_of<DirKey>, pyb::kw_only(), ESDB_SCAN_ARGS, kScanDoc)
      .def("__len__", [](const DirKey& k) { return k.event_count(); })
      .def("__iter__", [](pyb::object self) {
        return scan_of<DirKey>(self, pyb::none(), pyb::none(), pyb::none(), pyb::none(), false, false);
      })
      .def("__repr__", [](const DirKey& k) {
        return "<esdb.DirKey " + pyb::repr(text(k.name())).cast<std::string>() + " events=" +
               std::to_string(k.event_count()) + ">";
      });

  pyb::class_<DirKeyIter>(m, "DirKeyIterator")
      .def("__iter__", [](pyb::object self) { return self; })
      .def("__next__", [](DirKeyIter& ki) {
        if (ki.next >= ki.names.size()) throw pyb::stop_iteration();
        const DirReader& r = ki.owner.cast<const DirReader&>();
        const std::string& name = ki.names[ki.next++];
        pyb::gil_scoped_release nogil;
        return *r.find(name);
      });

  pyb::class_<DirReader>(m, "DirReader",
                         "An ingest directory (esdb.Archive, `esdb ingest`) read as one: its sealed files\n"
                         "and the events still only in its logs, as they were when it was opened.\n"
                         "Another process may append and roll meanwhile: open a new DirReader to see that.")
      .def(pyb::init([](pyb::handle dir) {
             const std::string d = fspath(dir);
             pyb::gil_scoped_release nogil;
             return DirReader::open(d);
           }),
           arg("directory"))
      .def_property_readonly("sealed_paths", &DirReader::sealed_paths)
      .def_property_readonly("log_paths", [](const DirReader& r) {
        std::vector<std::string> out;
        for (const Log& l : r.logs()) out.push_back(l.path());
        return out;
      })
      .def("find", &find_key, arg("key"), "The key's parts (one hash probe per sealed file), or None.")
      .def("__getitem__", [](const DirReader& r, pyb::handle key) {
        auto k = find_key(r, key);
        if (!k) throw pyb::key_error(pyb::repr(key).cast<std::string>());
        return *k;
      })
      .def("__contains__", [](const DirReader& r, pyb::handle key) { return find_key(r, key).has_value(); })
      .def("keys", [](const DirReader& r) {
        std::vector<std::string> names;
        {
          pyb::gil_scoped_release nogil;
          names = r.keys();
        }
        pyb::list out;
        for (const std::string& n : names) out.append(text(n));
        return out;
      }, "Every key name once, byte-wise sorted.")
      .def("__iter__", [](pyb::object self) {
        std::vector<std::string> names;
        {
          const DirReader& r = self.cast<const DirReader&>();
          pyb::gil_scoped_release nogil;
          names = r.keys();
        }
        return DirKeyIter{self, std::move(names)};
      }, "Every key once, byte-wise sorted, as DirKey.")
      .def("__len__", [](const DirReader& r) { return r.keys().size(); })
      .def("__enter__", [](pyb::object self) { return self; })
      .def("__exit__", [](pyb::object, pyb::handle, pyb::handle, pyb::handle) { return false; });

  pyb::class_<PyArchive>(m, "Archive",
                         "The one writer of an ingest directory: appends to its open log (durable by\n"
                         "policy), rolls the log into sealed esdb files by size or age, and recovers\n"
                         "whatever a crash left when it opens. A second writer gets esdb.IoError.")
      .def(pyb::init([](pyb::handle dir, const std::string& durability, std::chrono::milliseconds interval,
                        uint64_t roll_size, std::chrono::milliseconds roll_age) {
             ArchiveOptions o;
             o.log.durability = durability_of(durability);
             o.log.interval = interval;
             o.roll_size = roll_size;
             o.roll_age = roll_age;
             return new PyArchive(fspath(dir), o);
           }),
           arg("directory"), pyb::kw_only(), arg("durability") = "flush",
           arg("interval") = std::chrono::milliseconds(100), arg("roll_size") = 0,
           arg("roll_age") = std::chrono::milliseconds(0),
           "durability: \"append\" (fsync per append), \"flush\" (group commit: flush() makes\n"
           "everything appended durable) or \"interval\" (also flushed every `interval`, a\n"
           "timedelta or seconds). roll_size (bytes) / roll_age: seal the log once it is that\n"
           "big / that old; 0 = never.")
      .def_property_readonly("directory", &PyArchive::dir)
      .def("append", &PyArchive::append, arg("key"), arg("timestamp"), arg("data"), pyb::kw_only(),
           arg("group") = "", arg("indexes") = pyb::tuple(),
           "Appends one event (readable at once by new DirReaders); rolls the log if due.")
      .def("flush", &PyArchive::flush, "Returns once every event appended so far is on stable storage.")
      .def("roll", &PyArchive::roll, "Seals the open log now; the sealed file's path, or None if it was empty.")
      .def("close", &PyArchive::close, pyb::kw_only(), arg("seal") = false,
           "Flushes (and with seal=True seals the open log) and releases the directory.")
      .def_property_readonly("notes", &PyArchive::notes, "What opening recovered (torn tails cut, seals finished).")
      .def("__enter__", [](pyb::object self) { return self; })
      .def("__exit__", [](PyArchive& a, pyb::handle, pyb::handle, pyb::handle) {
        a.close(false);
        return false;
      });
}

}  // namespace esdb::py
