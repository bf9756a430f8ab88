// esdb.Reader, esdb.Key, esdb.MultiReader, esdb.MultiKey, esdb.merge and
// the partitioned-archive helpers. The C++ objects are immutable and shared
// by threads; every call that reads the file runs with the GIL released.
#include <algorithm>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.h"
#include "convert.h"
#include "fast_find.h"
#include "esdb/partitioned_archive.h"
#include "esdb/remote.h"
#include "esdb/esdb.h"
#include "key_scan.h"
#include "scan_iter.h"

namespace esdb::py {
namespace {

using pyb::arg;

pyb::object text(std::string_view s) { return pyb::reinterpret_steal<pyb::object>(new_text(s)); }

// A probe is a fraction of a microsecond: releasing and taking back the GIL
// around it would cost more than it lets other threads gain, so a lookup
// holds it (only a MultiReader over many plain files, one probe each,
// releases it). The key is read in place from the str/bytes object.
// Reader's own lookups bypass pybind11 altogether: fast_find.cc.
std::optional<MultiKey> find_in(const MultiReader& reader, pyb::handle key) {
  std::string storage;
  const std::string_view name = bytes_of(key, storage, "key");
  // As Reader.find: keep the GIL for a few local probes, not for many
  // probes or any over the network.
  const auto& parts = reader.readers();
  if (parts.size() <= 4 && std::none_of(parts.begin(), parts.end(), [](const Reader& r) { return is_url(r.path()); })) {
    return reader.find(name);
  }
  pyb::gil_scoped_release nogil;
  return reader.find(name);
}

struct KeyIter {
  pyb::object owner;  // the Reader
  KeyRange range;
  std::optional<KeyRange::iterator> it;
  bool busy = false;
};

struct MultiKeyIter {
  pyb::object owner;  // the MultiReader
  std::optional<MultiKeyRange::iterator> it;
  bool busy = false;
};

// Advancing runs without the GIL; a second thread advancing the same
// iterator meanwhile is refused rather than let race.
template <class It, class Fn>
void advance_alone(It& ki, Fn&& fn) {
  if (ki.busy) throw pyb::value_error("this key iterator is already running in another thread");
  ki.busy = true;
  struct Done {
    bool& b;
    ~Done() { b = false; }
  } done{ki.busy};
  pyb::gil_scoped_release nogil;
  fn();
}

std::vector<std::string> paths_of(const std::vector<pyb::handle>& inputs) {
  std::vector<std::string> out;
  for (pyb::handle h : inputs) out.push_back(pyb::str(pyb::module_::import("os").attr("fspath")(h)));
  return out;
}

// Reader(..., **options): the fields of esdb::ReaderOptions by name; an
// unknown name is a TypeError, as for any Python call.
ReaderOptions reader_options(const pyb::kwargs& kw) {
  ReaderOptions o;
  for (const auto& [k, v] : kw) {
    const std::string name = pyb::str(k);
    if (name == "cache_bytes") o.cache_bytes = v.cast<uint64_t>();
    else if (name == "tail_bytes") o.tail_bytes = v.cast<uint64_t>();
    else if (name == "lookback_bytes") o.lookback_bytes = v.cast<uint64_t>();
    else if (name == "dir_bytes") o.dir_bytes = v.cast<uint64_t>();
    else if (name == "attempts") o.attempts = v.cast<int>();
    else if (name == "timeout_ms") o.timeout_ms = v.cast<uint64_t>();
    else if (name == "connect_timeout_ms") o.connect_timeout_ms = v.cast<uint64_t>();
    else if (name == "ca_file") o.ca_file = pyb::str(pyb::module_::import("os").attr("fspath")(v));
    else throw pyb::type_error("unexpected keyword argument '" + name + "'");
  }
  return o;
}

}  // namespace


void register_reader(pyb::module_& m) {
  pyb::class_<Key>(m, "Key", "One key of a file: its metadata and scans. Keeps the file mapped while it lives.")
      .def_property_readonly("name", [](const Key& k) { return text(k.name()); })
      .def_property_readonly("event_count", &Key::event_count)
      .def_property_readonly("min_timestamp", &Key::min_timestamp)
      .def_property_readonly("max_timestamp", &Key::max_timestamp)
      .def("groups", [](const Key& k) {
        pyb::list out;
        for (const GroupInfo& g : k.groups()) out.append(pyb::reinterpret_steal<pyb::object>(new_group_info(g)));
        return out;
      }, "The key's groups in stored order as Group(name, event_count, min_timestamp, max_timestamp).")
      .def("index_values", [](const Key& k) {
        std::vector<IndexValue> vs;
        {
          pyb::gil_scoped_release nogil;
          vs = k.index_values();
        }
        pyb::list out;
        for (const IndexValue& v : vs) out.append(pyb::reinterpret_steal<pyb::object>(new_index_value(v)));
        return out;
      }, "Every IndexValue(name, value, count) of the key, sorted by name then value.")
      .def("scan", &scan_of<Key>, pyb::kw_only(), ESDB_SCAN_ARGS, kScanDoc)
      .def("__len__", [](const Key& k) { return k.event_count(); })
      .def("__iter__", [](pyb::object self) { return scan_of<Key>(self, pyb::none(), pyb::none(), pyb::none(), pyb::none(), false, false); })
      .def("__repr__", [](const Key& k) {
        return "<esdb.Key " + pyb::repr(text(k.name())).cast<std::string>() + " events=" +
               std::to_string(k.event_count()) + ">";
      });

  pyb::class_<KeyIter>(m, "KeyIterator")
      .def("__iter__", [](pyb::object self) { return self; })
      .def("__next__", [](KeyIter& ki) {
        advance_alone(ki, [&] {  // loads and checks the next key dir
          if (!ki.it) {
            ki.it.emplace(ki.range.begin());
          } else if (*ki.it != KeyRange::End{}) {
            ++*ki.it;
          }
        });
        if (*ki.it == KeyRange::End{}) throw pyb::stop_iteration();
        return **ki.it;
      });

  pyb::class_<Reader>(m, "Reader",
                      "An esdb file opened for reading. Immutable: share it between threads freely;\n"
                      "each scan owns its buffers.")
      .def(pyb::init([](pyb::handle path, const pyb::kwargs& options) {
             const std::string p = pyb::str(pyb::module_::import("os").attr("fspath")(path));
             const ReaderOptions o = reader_options(options);
             pyb::gil_scoped_release nogil;
             return Reader::open(p, o);
           }),
           arg("path"),
           "Reader(path, *, cache_bytes=, tail_bytes=, attempts=, timeout_ms=, connect_timeout_ms=, ca_file=):\n"
           "the keyword options are esdb::ReaderOptions, for http(s):// and s3:// URLs.")
      .def_property_readonly("path", &Reader::path)
      .def_property_readonly("stats", &Reader::stats)
      // find, __getitem__, __contains__: fast_find.cc, installed below.
      .def("__len__", [](const Reader& r) { return r.stats().key_count; })
      .def("__iter__", [](pyb::object self) {
        return KeyIter{self, self.cast<const Reader&>().keys(), std::nullopt};
      }, "Every Key in stored (byte-wise) order.")
      .def("verify", [](const Reader& r) {
        std::vector<Problem> ps;
        {
          pyb::gil_scoped_release nogil;
          ps = r.verify();
        }
        pyb::list out;
        for (const Problem& p : ps) out.append(pyb::make_tuple(p.offset, p.what));
        return out;
      }, "Checks every checksum and invariant; returns [(offset, message), ...], empty if sound.")
      .def("__enter__", [](pyb::object self) { return self; })
      .def("__exit__", [](pyb::object, pyb::handle, pyb::handle, pyb::handle) { return false; })
      .def("__repr__", [](const Reader& r) {
        return "<esdb.Reader " + r.path() + " keys=" + std::to_string(r.stats().key_count) + " events=" +
               std::to_string(r.stats().event_count) + ">";
      });
  install_fast_find(m.attr("Reader"));

  pyb::class_<MultiKey>(m, "MultiKey", "One key across several files; scans merge its parts by (group, timestamp).")
      .def_property_readonly("name", [](const MultiKey& k) { return text(k.name()); })
      .def_property_readonly("event_count", &MultiKey::event_count)
      .def_property_readonly("files", [](const MultiKey& k) {
        std::vector<size_t> f;
        for (const auto& p : k.parts()) f.push_back(p.file);
        return f;
      }, "Indexes (into MultiReader.paths) of the files holding the key.")
      .def("scan", &scan_of<MultiKey>, pyb::kw_only(), ESDB_SCAN_ARGS, kScanDoc)
      .def("__len__", [](const MultiKey& k) { return k.event_count(); })
      .def("__iter__", [](pyb::object self) { return scan_of<MultiKey>(self, pyb::none(), pyb::none(), pyb::none(), pyb::none(), false, false); })
      .def("__repr__", [](const MultiKey& k) {
        return "<esdb.MultiKey " + pyb::repr(text(k.name())).cast<std::string>() + " events=" +
               std::to_string(k.event_count()) + ">";
      });

  pyb::class_<MultiKeyIter>(m, "MultiKeyIterator")
      .def("__iter__", [](pyb::object self) { return self; })
      .def("__next__", [](MultiKeyIter& ki) {
        const MultiReader& r = ki.owner.cast<const MultiReader&>();
        advance_alone(ki, [&] {
          if (!ki.it) {
            ki.it.emplace(r.keys().begin());
          } else if (*ki.it != MultiKeyRange::End{}) {
            ++*ki.it;
          }
        });
        if (*ki.it == MultiKeyRange::End{}) throw pyb::stop_iteration();
        return **ki.it;
      });

  pyb::class_<MultiReader>(m, "MultiReader",
                           "Several files read as one (paths in order; a partitioned archive directory\n"
                           "alone is read through its manifest, probing only a key's own file).")
      .def(pyb::init([](const std::vector<pyb::handle>& paths, const pyb::kwargs& options) {
             const std::vector<std::string> ps = paths_of(paths);
             const ReaderOptions o = reader_options(options);
             pyb::gil_scoped_release nogil;
             return MultiReader::open(ps, o);
           }),
           arg("paths"), "MultiReader(paths, **options): options as Reader's.")
      .def_property_readonly("paths", [](const MultiReader& r) {
        std::vector<std::string> out;
        for (const Reader& x : r.readers()) out.push_back(x.path());
        return out;
      })
      .def("find", [](const MultiReader& r, pyb::handle key) { return find_in(r, key); }, arg("key"),
           "The key's parts, one hash probe per file (one in all for an archive), or None.")
      .def("__getitem__", [](const MultiReader& r, pyb::handle key) {
        auto k = find_in(r, key);
        if (!k) throw pyb::key_error(pyb::repr(key).cast<std::string>());
        return *k;
      })
      .def("__contains__", [](const MultiReader& r, pyb::handle key) { return find_in(r, key).has_value(); })
      .def("__iter__", [](pyb::object self) { return MultiKeyIter{self, std::nullopt}; },
           "Every key of the files once, in byte-wise order, as MultiKey.")
      .def("__enter__", [](pyb::object self) { return self; })
      .def("__exit__", [](pyb::object, pyb::handle, pyb::handle, pyb::handle) { return false; });

  m.def("merge", [](const std::vector<pyb::handle>& inputs, pyb::handle output, bool dedupe, bool overwrite,
                    const std::optional<std::string>& compression,
                    const std::optional<std::vector<std::string>>& covered_indexes,
                    std::optional<double> cover_max_share) {
    const std::vector<std::string> in = paths_of(inputs);
    const std::string out = pyb::str(pyb::module_::import("os").attr("fspath")(output));
    WriterOptions o;
    o.overwrite = overwrite;
    if (compression) set_compression_or_raise(o, *compression);
    set_cover(o, covered_indexes, cover_max_share);
    MergeOptions mo;
    mo.dedupe = dedupe;
    pyb::gil_scoped_release nogil;
    return esdb::merge(in, out, o, mo);
  }, arg("inputs"), arg("output"), pyb::kw_only(), arg("dedupe") = false, arg("overwrite") = false,
        arg("compression") = pyb::none(), arg("covered_indexes") = pyb::none(), arg("cover_max_share") = pyb::none(),
        "Streams every event of `inputs` into a new file `output` (memory bounded whatever their\n"
        "sizes); dedupe drops events equal in key, group, timestamp and data; compression,\n"
        "covered_indexes and cover_max_share as Writer's (default snappy, none covered).\n"
        "Returns FileStats.");

  m.def("is_url", [](const std::string& path) { return esdb::is_url(path); }, arg("path"),
        "True for the http://, https:// and s3:// names esdb reads remotely.");
  m.def("expand_s3_pattern", [](const std::string& url) {
    pyb::gil_scoped_release nogil;
    return esdb::expand_s3_pattern(url);
  }, arg("url"),
        "The objects an s3://bucket/dir/PATTERN URL names (ListObjectsV2; * ? [...] in the last\n"
        "component), as sorted s3:// URLs; [] when none match.");
  m.def("is_s3_pattern", [](const std::string& url) { return esdb::is_s3_pattern(url); }, arg("url"),
        "True when an s3:// URL's last component is a pattern.");

  m.def("key_hash", [](pyb::handle key) {
    std::string storage;
    return esdb::key_hash(bytes_of(key, storage, "key"));
  }, arg("key"),
        "The format's key hash, XXH3-64 with seed 0 (SPEC.md).");
  m.def("partition_of", [](pyb::handle key, uint64_t partitions) {
    std::string storage;
    return esdb::partition_of(bytes_of(key, storage, "key"), partitions);
  }, arg("key"), arg("partitions"), "The file of a partitioned archive holding `key`: key_hash(key) % partitions.");
  m.def("partitions_of", [](pyb::handle keys, uint64_t partitions) {
    PyObject* f = PySequence_Fast(keys.ptr(), "keys must be a sequence");
    if (!f) throw pyb::error_already_set();
    pyb::object seq = pyb::reinterpret_steal<pyb::object>(f);
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(f);
    pyb::array_t<int64_t> out(n);
    int64_t* o = out.mutable_data();
    std::deque<std::string> storage;
    for (Py_ssize_t i = 0; i < n; i++) {
      o[i] = static_cast<int64_t>(esdb::partition_of(bytes_of(PySequence_Fast_GET_ITEM(f, i), storage, "key"), partitions));
      if (storage.size() > 64) storage.clear();
    }
    return out;
  }, arg("keys"), arg("partitions"), "partition_of for every key of a sequence, as an int64 numpy array.");
  m.def("read_manifest", [](const std::string& dir) { return read_manifest(dir).files; }, arg("directory"),
        "The file names a partitioned archive's manifest lists, in partition order.");
  m.def("write_manifest", [](const std::string& dir, const std::vector<std::string>& files) {
    pyb::gil_scoped_release nogil;
    write_manifest(dir, Manifest{files});
  }, arg("directory"), arg("files"), "Writes the manifest atomically (the last step of building an archive).");
  m.def("is_partitioned_archive", &is_partitioned_archive, arg("path"));
}

}  // namespace esdb::py
