// `rubric._rubric`: the compiled part of the Python package (python/rubric/). The Python layer
// (python/rubric/__init__.py) turns dicts into JSON text and back; this module compiles rule
// files and evaluates JSON text with the same readers and writers as the command line
// (tools/: the NDJSON fact reader, the batch pipeline, the JSON report), so that the two give
// the same answers byte for byte.
//
// Contract: a CompiledGuideline is immutable once made and is shared by every Python object
// and thread that uses it. Every evaluation releases the GIL and keeps its readers and scratch
// on its own stack, so any number of threads may call one CompiledGuideline at once. No C++
// exception crosses into Python but as a Python exception (pybind11 translates them): a bad
// fact or record is a ValueError naming it.
#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <sys/mman.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "authoring/explain.hpp"
#include "dsl/diagnostic.hpp"
#include "dsl/parser.hpp"
#include "dsl/source.hpp"
#include "engine/guideline.hpp"
#include "records/record_reader.hpp"
#include "tools/batch_pipeline.hpp"
#include "tools/evaluation_date.hpp"
#include "tools/explain_output.hpp"
#include "tools/fact_file.hpp"
#include "tools/ndjson_facts.hpp"
#include "tools/record_file.hpp"
#include "tools/report.hpp"
#include "values/types.hpp"

namespace py = pybind11;

namespace rubric {
namespace {

std::string dump(const nlohmann::ordered_json& json) {
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

DateTime evaluation_date_or_throw(const std::string& text) {
  std::string error;
  std::optional<DateTime> date = parse_evaluation_date(text, error);
  if (!date) {
    throw py::value_error("as_of: " + error);
  }
  return *date;
}

// `text` as a Python string, bytes that are not UTF-8 replaced (U+FFFD): rule files and their
// diagnostics may quote such bytes.
py::str python_text(std::string_view text) {
  PyObject* object =
      PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
  if (object == nullptr) {
    throw py::error_already_set();
  }
  return py::reinterpret_steal<py::str>(object);
}

// Every error of `diagnostics`, one a line: "error[E0409]: fact `pain_vas` must be ...".
std::string error_text(const Diagnostics& diagnostics) {
  std::string text;
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    if (diagnostic.severity == Severity::error) {
      text += fmt::format("{}error[{}]: {}", text.empty() ? "" : "\n", diagnostic.code,
                          diagnostic.message);
    }
  }
  return text;
}

// The facts of one JSON object in the fact-file format, read as a line of `rubric batch` is;
// nullopt with `error` set (every error, one a line, with its code) when it is rejected.
std::optional<FactSet> read_facts(const Guideline& guideline, std::string json,
                                  std::string& error) {
  const std::size_t size = json.size();
  json.append(kNdjsonPadding, '\0');
  NdjsonFactReader reader(guideline.facts());
  FactSet facts(guideline.facts().size());
  Diagnostics diagnostics;
  if (reader.read(std::string_view(json.data(), size), facts, diagnostics)) {
    return facts;
  }
  error = error_text(diagnostics);
  return std::nullopt;
}

// One fact column of a table (outcome_table), its values held as the arrays Python gave or,
// for a column of Python objects, as texts read while the GIL was held.
struct TableColumn {
  std::size_t fact = 0;
  enum class Kind : std::uint8_t { floating, integer, boolean, object } kind = Kind::object;
  py::array array;  // keeps a numeric column's data alive
  const void* data = nullptr;
  const bool* missing = nullptr;
  py::array missing_array;
  // An object column: each row's scalar kind and text (quoted for strings).
  std::vector<ScalarKind> kinds;
  std::vector<std::string> texts;
  std::vector<bool> quoted;
  // Per row, what a value no fact file could hold is ("a list", "a set"), for the error;
  // empty if no row has one.
  std::vector<std::string> problem;

  // The row's value as a fact file's scalar; `text` is working memory it may view.
  void scalar(std::size_t row, std::string& text, RawScalar& out) const {
    out = RawScalar{};
    if (missing != nullptr && missing[row]) {
      out.kind = ScalarKind::null;
      return;
    }
    switch (kind) {
      case Kind::floating: {
        const double value = static_cast<const double*>(data)[row];
        if (std::isnan(value)) {
          out.kind = ScalarKind::null;
          return;
        }
        text = shortest_text(value);
        out.kind = ScalarKind::number;
        out.text = text;
        return;
      }
      case Kind::integer:
        text = std::to_string(static_cast<const std::int64_t*>(data)[row]);
        out.kind = ScalarKind::number;
        out.text = text;
        return;
      case Kind::boolean:
        out.kind = ScalarKind::boolean;
        out.text = static_cast<const bool*>(data)[row] ? "true" : "false";
        return;
      case Kind::object:
        out.kind = kinds[row];
        out.text = texts[row];
        out.quoted = quoted[row];
        return;
    }
  }

  // A float as the shortest decimal text that reads back as it, without an exponent
  // ("19.9", "0.00005", "1e+20" written out); "inf" for infinities, which readers reject.
  static std::string shortest_text(double value) {
    if (std::isinf(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    char buffer[512];
    const auto result =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    return {buffer, result.ptr};
  }
};

// The bytes object evaluate_lines returns, written in place as the results come: one buffer,
// touched once (fresh memory costs a page fault a page), grown with realloc (which moves a
// large block's pages without copying them). Made and finished with the GIL held; `append`
// takes the GIL only to grow.
class ResultBytes {
 public:
  explicit ResultBytes(std::size_t capacity) { grow(std::max<std::size_t>(capacity, 4096)); }
  ResultBytes(const ResultBytes&) = delete;
  ResultBytes& operator=(const ResultBytes&) = delete;
  ~ResultBytes() { Py_XDECREF(bytes_); }

  void append(std::string_view text) {
    if (size_ + text.size() > capacity_) {
      const py::gil_scoped_acquire acquire;
      grow(std::max(capacity_ * 2, size_ + text.size()));
    }
    std::copy(text.begin(), text.end(), PyBytes_AS_STRING(bytes_) + size_);
    size_ += text.size();
  }

  // The bytes object, cut to the results' size; the buffer is given away.
  py::bytes finish() {
    if (_PyBytes_Resize(&bytes_, static_cast<Py_ssize_t>(size_)) != 0) {
      bytes_ = nullptr;
      throw py::error_already_set();
    }
    PyObject* bytes = bytes_;
    bytes_ = nullptr;
    return py::reinterpret_steal<py::bytes>(bytes);
  }

 private:
  void grow(std::size_t capacity) {
    if (bytes_ == nullptr) {
      bytes_ = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(capacity));
    } else if (_PyBytes_Resize(&bytes_, static_cast<Py_ssize_t>(capacity)) != 0) {
      bytes_ = nullptr;
    }
    if (bytes_ == nullptr) {
      throw py::error_already_set();
    }
    populate(capacity_, capacity);
    capacity_ = capacity;
  }

  // Faults in the pages of bytes [from, to) of the buffer with one call (MADV_POPULATE_WRITE,
  // Linux 5.14), rather than one page fault a page as they are written; a no-op elsewhere.
  void populate(std::size_t from, std::size_t to) const {
#ifdef MADV_POPULATE_WRITE
    constexpr std::size_t kPage = 4096;
    char* const begin = PyBytes_AS_STRING(bytes_);
    const auto address = reinterpret_cast<std::uintptr_t>(begin);
    // Whole pages only: the first page boundary at or after `from`, the last at or before `to`.
    const std::size_t first = from + (kPage - (address + from) % kPage) % kPage;
    const std::size_t last = to - (address + to) % kPage;
    if (last > first + 64 * kPage) {
      ::madvise(begin + first, last - first, MADV_POPULATE_WRITE);
    }
#else
    (void)from;
    (void)to;
#endif
  }

  PyObject* bytes_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

// A rule file compiled, with the texts it was compiled from (the reports and explanations
// quote them).
class CompiledGuideline {
 public:
  CompiledGuideline(SourceManager&& sources, std::shared_ptr<const Guideline> guideline)
      : sources_(std::move(sources)), guideline_(std::move(guideline)) {}

  [[nodiscard]] const Guideline& guideline() const { return *guideline_; }

  // The result of `rubric eval --format json` for one fact set (the JSON text of a mapping
  // from fact name to value).
  [[nodiscard]] std::string evaluate(std::string facts_json, const std::string& as_of_text) const {
    const DateTime as_of = evaluation_date_or_throw(as_of_text);
    std::string error;
    std::string result;
    {
      const py::gil_scoped_release release;
      std::optional<FactSet> facts = read_facts(*guideline_, std::move(facts_json), error);
      if (facts) {
        result = decide(*facts, as_of);
      }
    }
    if (!error.empty()) {
      throw py::value_error(error);
    }
    return result;
  }

  // The same for a FHIR R4 record (the JSON text of a Bundle), read through the bindings.
  [[nodiscard]] std::string evaluate_record(const std::string& bundle_json,
                                            const std::string& as_of_text) const {
    const DateTime as_of = evaluation_date_or_throw(as_of_text);
    std::string error;
    std::string result;
    {
      const py::gil_scoped_release release;
      RecordReading reading = read_record(guideline_->facts(), bundle_json, as_of);
      if (reading.ok()) {
        result = decide(reading.facts, as_of);
      } else {
        error = fmt::format("error[{}]: {}", diagnostic_info(reading.error->kind).code,
                            reading.error->message);
        if (!reading.error->path.empty()) {
          error += fmt::format(" (at `{}`)", reading.error->path);
        }
      }
    }
    if (!error.empty()) {
      throw py::value_error(error);
    }
    return result;
  }

  // What `rubric batch` writes for the NDJSON `lines`, byte for byte (errors in place).
  [[nodiscard]] py::bytes evaluate_lines(const py::buffer& lines, bool compact,
                                         const std::string& as_of_text, std::size_t threads,
                                         std::uint64_t first_line) const {
    return evaluate_block(lines, compact, as_of_text, threads, first_line)[0];
  }

  // evaluate_lines' results and the number of lines read (blank ones and a last line without
  // a line break included), for parts of a file evaluated apart (rubric.dask).
  [[nodiscard]] py::tuple evaluate_block(const py::buffer& lines, bool compact,
                                         const std::string& as_of_text, std::size_t threads,
                                         std::uint64_t first_line) const {
    const DateTime as_of = evaluation_date_or_throw(as_of_text);
    if (first_line == 0) {
      throw py::value_error("first_line: lines are numbered from 1");
    }
    const py::buffer_info view = lines.request();
    if (view.ndim > 1 || view.itemsize != 1 ||
        (view.ndim == 1 && view.size > 1 && view.strides[0] != 1)) {
      throw py::type_error("lines: expected bytes (a contiguous buffer of single bytes)");
    }
    const auto* data = static_cast<const char*>(view.ptr);
    const auto size = static_cast<std::size_t>(view.size);
    if (threads == 0) {
      threads = std::max<std::size_t>(1, std::thread::hardware_concurrency());
    }
    ResultBytes output(size / 4);
    BatchTotals totals;
    {
      const py::gil_scoped_release release;
      std::size_t position = 0;
      const BatchInput input = [&](char* into, std::size_t capacity) {
        const std::size_t count = std::min(capacity, size - position);
        std::copy_n(data + position, count, into);
        position += count;
        return count;
      };
      const BatchOutput write = [&](std::string_view text, const BatchTotals&, std::uint64_t) {
        output.append(text);
      };
      totals =
          run_batch(*guideline_, BatchOptions{threads, compact, as_of, first_line}, input, write);
    }
    return py::make_tuple(output.finish(), totals.lines);
  }

  // The outcome of each row of a table for each recommendation, row after row: 0 not made,
  // 1 recommended, 2 undetermined (255 for a rejected row), with the rejected rows' numbers
  // (from 0) and errors. `columns` holds (fact name, kind, values, missing) for each fact
  // column, all of `rows` rows: kind "float" (float64 array), "int" (int64 array), "bool"
  // (bool array) or "object" (any Python values); `missing` is a bool array (absent facts).
  // Every value goes through the fact-value reader as the scalar a fact file would write: a
  // float as its shortest decimal text without an exponent (19.9, 0.00005), so a value is
  // accepted exactly when evaluate() accepts it.
  [[nodiscard]] py::tuple outcome_table(const py::list& columns, std::size_t rows,
                                        const std::string& as_of_text) const {
    const DateTime as_of = evaluation_date_or_throw(as_of_text);
    std::vector<TableColumn> table;
    for (const py::handle item : columns) {
      table.push_back(table_column(py::cast<py::tuple>(item), rows));
    }
    const std::size_t count = guideline_->recommendations().size();
    std::string outcomes;
    std::vector<std::pair<std::size_t, std::string>> errors;
    {
      const py::gil_scoped_release release;
      outcomes.reserve(rows * count);
      FactSet facts(guideline_->facts().size());
      EvaluationScratch scratch;
      Decision decision;
      Diagnostics diagnostics;
      std::string text;
      for (std::size_t row = 0; row < rows; ++row) {
        facts.clear();
        for (const TableColumn& column : table) {
          const FactSpec& spec = guideline_->facts()[column.fact];
          if (!column.problem.empty() && !column.problem[row].empty()) {
            report_container_value(spec, column.problem[row], SourceRange{}, diagnostics);
            continue;
          }
          RawScalar scalar;
          column.scalar(row, text, scalar);
          const std::optional<Value> value = read_fact_value(spec, scalar, facts, diagnostics);
          if (value) {
            facts.set(FactId{static_cast<std::uint32_t>(column.fact)}, *value);
          }
        }
        if (diagnostics.has_errors()) {
          outcomes.append(count, static_cast<char>(255));
          errors.emplace_back(row, error_text(diagnostics));
          diagnostics = Diagnostics();
          continue;
        }
        guideline_->set_evaluation_date(facts, as_of);
        guideline_->evaluate(facts, scratch, decision);
        for (const Outcome outcome : decision.outcomes) {
          outcomes += outcome == Outcome::recommended    ? '\1'
                      : outcome == Outcome::undetermined ? '\2'
                                                         : '\0';
        }
      }
    }
    return py::make_tuple(py::bytes(outcomes), errors);
  }

  // The column (fact name, kind, values, missing) of outcome_table for `rows` rows.
  [[nodiscard]] TableColumn table_column(const py::tuple& item, std::size_t rows) const {
    if (item.size() != 4) {
      throw py::type_error("columns: expected (name, kind, values, missing) tuples");
    }
    const auto name = py::cast<std::string>(item[0]);
    const auto kind = py::cast<std::string>(item[1]);
    const std::optional<FactId> fact = guideline_->find_fact(name);
    if (!fact || guideline_->facts()[fact->value].evaluation_date) {
      throw py::value_error(
          fmt::format("column `{}` is not a fact of `{}`", name, guideline_->id()));
    }
    TableColumn column;
    column.fact = fact->value;
    column.missing_array = py::array_t<bool, py::array::c_style | py::array::forcecast>(item[3]);
    if (static_cast<std::size_t>(column.missing_array.size()) != rows) {
      throw py::value_error(fmt::format("column `{}`: {} missing flags for {} rows", name,
                                        column.missing_array.size(), rows));
    }
    column.missing = static_cast<const bool*>(column.missing_array.data());
    const auto numeric = [&](auto typed, TableColumn::Kind as) {
      using Array = decltype(typed);
      column.array = Array(item[2]);
      column.kind = as;
      column.data = column.array.data();
      if (static_cast<std::size_t>(column.array.size()) != rows) {
        throw py::value_error(
            fmt::format("column `{}`: {} values for {} rows", name, column.array.size(), rows));
      }
    };
    if (kind == "float") {
      numeric(py::array_t<double, py::array::c_style | py::array::forcecast>(),
              TableColumn::Kind::floating);
    } else if (kind == "int") {
      numeric(py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>(),
              TableColumn::Kind::integer);
    } else if (kind == "bool") {
      numeric(py::array_t<bool, py::array::c_style | py::array::forcecast>(),
              TableColumn::Kind::boolean);
    } else if (kind == "object") {
      const auto values = py::cast<py::list>(item[2]);
      if (values.size() != rows) {
        throw py::value_error(
            fmt::format("column `{}`: {} values for {} rows", name, values.size(), rows));
      }
      column.kind = TableColumn::Kind::object;
      column.kinds.resize(rows, ScalarKind::null);
      column.texts.resize(rows);
      column.quoted.resize(rows, false);
      for (std::size_t row = 0; row < rows; ++row) {
        if (column.missing[row]) {
          continue;
        }
        std::string problem;
        object_scalar(values[row], column.kinds[row], column.texts[row], problem);
        if (!problem.empty()) {
          column.problem.resize(rows);
          column.problem[row] = std::move(problem);
        }
        column.quoted[row] = column.kinds[row] == ScalarKind::string;
      }
    } else {
      throw py::value_error(fmt::format("column `{}`: unknown kind `{}`", name, kind));
    }
    return column;
  }

  // One Python value of an object column as a fact file's scalar, or `problem` set to what
  // it is when no fact file could hold it ("a list").
  static void object_scalar(py::handle value, ScalarKind& kind, std::string& text,
                            std::string& problem) {
    if (value.is_none()) {
      kind = ScalarKind::null;
    } else if (PyBool_Check(value.ptr())) {
      kind = ScalarKind::boolean;
      text = value.ptr() == Py_True ? "true" : "false";
    } else if (PyLong_Check(value.ptr())) {
      kind = ScalarKind::number;
      text = py::cast<std::string>(py::str(value));
    } else if (PyFloat_Check(value.ptr())) {
      const double number = PyFloat_AS_DOUBLE(value.ptr());
      kind = std::isnan(number) ? ScalarKind::null : ScalarKind::number;
      text = TableColumn::shortest_text(number);
    } else if (PyUnicode_Check(value.ptr())) {
      Py_ssize_t size = 0;
      const char* utf8 = PyUnicode_AsUTF8AndSize(value.ptr(), &size);
      if (utf8 == nullptr) {  // lone surrogates: text that was not UTF-8, as readers reject
        PyErr_Clear();
        problem = "text that is not UTF-8";
        return;
      }
      kind = ScalarKind::string;
      text.assign(utf8, static_cast<std::size_t>(size));
    } else if (PyList_Check(value.ptr()) || PyTuple_Check(value.ptr())) {
      problem = "a list";
    } else if (PyDict_Check(value.ptr())) {
      problem = "a mapping";
    } else if (py::hasattr(value, "isoformat")) {  // datetime.date, datetime.datetime
      kind = ScalarKind::string;
      text = py::cast<std::string>(py::module_::import("rubric").attr("_date_value")(value));
    } else if (py::hasattr(value, "item")) {  // a numpy scalar
      object_scalar(value.attr("item")(), kind, text, problem);
    } else {
      problem =
          fmt::format("a {}", py::cast<std::string>(py::str(value.get_type().attr("__name__"))));
    }
  }

  // `rubric explain --format json` for the facts (a fact set, or a FHIR record when
  // `is_record`), for the recommendations `ids` (all when empty).
  [[nodiscard]] std::string explain(std::string facts_json, bool is_record,
                                    const std::vector<std::string>& ids,
                                    const std::string& as_of_text) const {
    const DateTime as_of = evaluation_date_or_throw(as_of_text);
    std::vector<std::size_t> selected;
    for (const std::string& id : ids) {
      const std::optional<std::size_t> index = guideline_->find_recommendation(id);
      if (!index) {
        std::string known;
        for (const RecommendationInfo& recommendation : guideline_->recommendations()) {
          known += fmt::format("{}`{}`", known.empty() ? "" : ", ", recommendation.id);
        }
        throw py::key_error(
            fmt::format("no recommendation `{}`; the guideline's are {}", id, known));
      }
      selected.push_back(*index);
    }
    if (ids.empty()) {
      for (std::size_t index = 0; index < guideline_->recommendations().size(); ++index) {
        selected.push_back(index);
      }
    }
    std::string error;
    std::string result;
    {
      const py::gil_scoped_release release;
      std::optional<FactSet> facts;
      std::optional<RecordReading> record;
      if (is_record) {
        record = read_record(guideline_->facts(), facts_json, as_of);
        if (record->ok()) {
          facts = std::move(record->facts);
        } else {
          error = fmt::format("error[{}]: {}", diagnostic_info(record->error->kind).code,
                              record->error->message);
        }
      } else {
        facts = read_facts(*guideline_, std::move(facts_json), error);
      }
      if (facts) {
        guideline_->set_evaluation_date(*facts, as_of);
        EvaluationScratch scratch;
        Decision decision;
        guideline_->evaluate_with_values(*facts, scratch, decision);
        std::vector<Explanation> explanations;
        explanations.reserve(selected.size());
        for (const std::size_t index : selected) {
          explanations.push_back(
              rubric::explain(*guideline_, sources_, *facts, scratch, decision, index));
        }
        nlohmann::ordered_json json = explanations_to_json(explanations, sources_);
        if (record) {
          json["sources"] = fact_sources_list_json(*guideline_, *record, *facts);
        }
        result = dump(json);
      }
    }
    if (!error.empty()) {
      throw py::value_error(error);
    }
    return result;
  }

  // The declared facts: [{"name", "type", "unit" (quantities), "codes" (codes), "expected",
  // "description", "bound" (read from records)}], the evaluation date left out.
  [[nodiscard]] std::string facts() const {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const FactSpec& fact : guideline_->facts()) {
      if (fact.evaluation_date) {
        continue;
      }
      nlohmann::ordered_json item;
      item["name"] = fact.name;
      item["type"] = type_name(fact.type);
      if (!fact.unit.empty()) {
        item["unit"] = fact.unit;
      }
      if (!fact.codes.empty()) {
        item["codes"] = fact.codes;
      }
      item["expected"] = fact.expected();
      item["description"] = fact.description;
      item["bound"] = fact.binding.has_value();
      list.push_back(std::move(item));
    }
    return dump(list);
  }

  // The recommendations as results show them when made (report.hpp), in declaration order.
  [[nodiscard]] std::string recommendations() const {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const RecommendationInfo& info : guideline_->recommendations()) {
      list.push_back(recommendation_to_json(*guideline_, info));
    }
    return dump(list);
  }

 private:
  // Evaluates `facts` as of `as_of` into the JSON text of `rubric eval --format json`.
  [[nodiscard]] std::string decide(FactSet& facts, const DateTime& as_of) const {
    guideline_->set_evaluation_date(facts, as_of);
    EvaluationScratch scratch;
    Decision decision;
    guideline_->evaluate(facts, scratch, decision);
    return dump(decision_to_json(*guideline_, sources_, facts, scratch, decision));
  }

  SourceManager sources_;  // declared first: the guideline's ranges point into its texts
  std::shared_ptr<const Guideline> guideline_;
};

// The result lines of `text` (what evaluate_lines returns) with `shift` added to every line
// number: a line that starts `{"line":N` gets N + shift; other lines (compact results) are
// copied as they are. For parts of a file evaluated apart (rubric.dask).
py::bytes shift_line_numbers(const py::bytes& text_bytes, std::uint64_t shift) {
  const std::string_view text = text_bytes;
  constexpr std::string_view kPrefix = "{\"line\":";
  constexpr std::string_view kLineStart = "\n{\"line\":";
  std::string out;
  {
    const py::gil_scoped_release release;
    out.reserve(text.size() + text.size() / 16);
    std::size_t copied = 0;  // text[0, copied) is in `out`
    // Each numbered line: the first if it starts so, then each after a line feed.
    std::size_t found = text.substr(0, kPrefix.size()) == kPrefix ? 0 : text.find(kLineStart);
    while (found != std::string_view::npos) {
      const std::size_t prefix_end =
          found + (found == 0 && text[0] == '{' ? kPrefix.size() : kLineStart.size());
      std::uint64_t number = 0;
      const auto parsed =
          std::from_chars(text.data() + prefix_end, text.data() + text.size(), number);
      if (parsed.ec == std::errc() && parsed.ptr != text.data() + prefix_end) {
        out.append(text, copied, prefix_end - copied);
        char buffer[24];
        const auto written = std::to_chars(buffer, buffer + sizeof buffer, number + shift);
        out.append(buffer, written.ptr);
        copied = static_cast<std::size_t>(parsed.ptr - text.data());
      }
      found = text.find(kLineStart, prefix_end);
    }
    out.append(text, copied);
  }
  return {out};
}

// Compiles `text` named `name`: (CompiledGuideline or None, [(code, severity, line, column,
// message)], the diagnostics as `rubric check` prints them).
py::tuple compile(const py::bytes& text_bytes, const std::string& name) {
  std::string text = text_bytes;
  if (text.size() > kMaxSourceBytes) {
    throw py::value_error(
        fmt::format("`{}` is larger than the limit of {} bytes", name, kMaxSourceBytes));
  }
  SourceManager sources;
  const FileId file = sources.add(name, std::move(text));
  Diagnostics diagnostics;
  std::shared_ptr<const Guideline> guideline;
  {
    const py::gil_scoped_release release;
    guideline = Guideline::compile(sources, file, diagnostics);
  }
  py::list list;
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    const LineColumn at = sources.line_column(diagnostic.range.file, diagnostic.range.offset);
    list.append(py::make_tuple(diagnostic.code, severity_name(diagnostic.severity), at.line,
                               at.column, python_text(diagnostic.message)));
  }
  std::string formatted = format_diagnostics(sources, diagnostics);
  py::object compiled = py::none();
  if (guideline) {
    compiled = py::cast(std::make_shared<CompiledGuideline>(std::move(sources), guideline));
  }
  return py::make_tuple(compiled, list, python_text(formatted));
}

}  // namespace
}  // namespace rubric

PYBIND11_MODULE(_rubric, module) {
  using rubric::CompiledGuideline;
  using rubric::python_text;
  module.doc() = "The compiled part of the rubric package; use `rubric`, not this module.";
  py::class_<CompiledGuideline, std::shared_ptr<CompiledGuideline>>(module, "CompiledGuideline")
      .def_property_readonly("id",
                             [](const CompiledGuideline& self) { return self.guideline().id(); })
      .def_property_readonly("title",
                             [](const CompiledGuideline& self) { return self.guideline().title(); })
      .def_property_readonly(
          "version", [](const CompiledGuideline& self) { return self.guideline().version(); })
      .def("evaluate", &CompiledGuideline::evaluate, py::arg("facts_json"), py::arg("as_of"))
      .def("evaluate_record", &CompiledGuideline::evaluate_record, py::arg("bundle_json"),
           py::arg("as_of"))
      .def("evaluate_lines", &CompiledGuideline::evaluate_lines, py::arg("lines"),
           py::arg("compact"), py::arg("as_of"), py::arg("threads"), py::arg("first_line"))
      .def("evaluate_block", &CompiledGuideline::evaluate_block, py::arg("lines"),
           py::arg("compact"), py::arg("as_of"), py::arg("threads"), py::arg("first_line"))
      .def("outcome_table", &CompiledGuideline::outcome_table, py::arg("columns"), py::arg("rows"),
           py::arg("as_of"))
      .def("explain", &CompiledGuideline::explain, py::arg("facts_json"), py::arg("is_record"),
           py::arg("ids"), py::arg("as_of"))
      .def("facts", &CompiledGuideline::facts)
      .def("recommendations", &CompiledGuideline::recommendations);
  module.def("compile", &rubric::compile, py::arg("text"), py::arg("name"));
  module.def("shift_line_numbers", &rubric::shift_line_numbers, py::arg("text"), py::arg("shift"));
  module.attr("max_source_bytes") = rubric::kMaxSourceBytes;
}
