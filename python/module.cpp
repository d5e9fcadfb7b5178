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
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
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
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    if (diagnostic.severity == Severity::error) {
      error += fmt::format("{}error[{}]: {}", error.empty() ? "" : "\n", diagnostic.code,
                           diagnostic.message);
    }
  }
  return std::nullopt;
}

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
    const DateTime as_of = evaluation_date_or_throw(as_of_text);
    if (first_line == 0) {
      throw py::value_error("first_line: lines are numbered from 1");
    }
    const py::buffer_info view = lines.request();
    if (view.ndim > 1 || view.itemsize != 1) {
      throw py::type_error("lines: expected bytes (a buffer of single bytes)");
    }
    const auto* data = static_cast<const char*>(view.ptr);
    const auto size = static_cast<std::size_t>(view.size);
    if (threads == 0) {
      threads = std::max<std::size_t>(1, std::thread::hardware_concurrency());
    }
    // The results are kept in the pieces the pipeline hands over, then copied once into the
    // bytes object: one string grown to the whole output would copy it again at each doubling.
    std::vector<std::string> pieces;
    std::size_t total = 0;
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
        if (!text.empty()) {
          pieces.emplace_back(text);
          total += text.size();
        }
      };
      run_batch(*guideline_, BatchOptions{threads, compact, as_of, first_line}, input, write);
    }
    PyObject* bytes = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(total));
    if (bytes == nullptr) {
      throw py::error_already_set();
    }
    char* into = PyBytes_AS_STRING(bytes);
    for (const std::string& piece : pieces) {
      into = std::copy(piece.begin(), piece.end(), into);
    }
    return py::reinterpret_steal<py::bytes>(bytes);
  }

  // The outcome of each line of `lines` (NDJSON fact sets, one per row of a table) for each
  // recommendation, row after row: 0 not made, 1 recommended, 2 undetermined (255 for a
  // rejected row), with the rejected rows' numbers (from 0) and errors.
  [[nodiscard]] py::tuple outcome_table(const py::buffer& lines,
                                        const std::string& as_of_text) const {
    const DateTime as_of = evaluation_date_or_throw(as_of_text);
    const py::buffer_info view = lines.request();
    if (view.ndim > 1 || view.itemsize != 1) {
      throw py::type_error("lines: expected bytes (a buffer of single bytes)");
    }
    std::string text(static_cast<const char*>(view.ptr), static_cast<std::size_t>(view.size));
    const std::size_t count = guideline_->recommendations().size();
    std::string outcomes;
    std::vector<std::pair<std::size_t, std::string>> errors;
    {
      const py::gil_scoped_release release;
      const std::size_t size = text.size();
      text.append(kNdjsonPadding, '\0');
      NdjsonFactReader reader(guideline_->facts());
      FactSet facts(guideline_->facts().size());
      EvaluationScratch scratch;
      Decision decision;
      Diagnostics diagnostics;
      std::size_t row = 0;
      for (std::size_t at = 0; at < size; ++row) {
        std::size_t end = text.find('\n', at);
        if (end == std::string::npos || end > size) {
          end = size;
        }
        const std::string_view line(text.data() + at, end - at);
        at = end + 1;
        if (!reader.read(line, facts, diagnostics, row == 0)) {
          outcomes.append(count, static_cast<char>(255));
          std::string message;
          for (const Diagnostic& diagnostic : diagnostics.all()) {
            if (diagnostic.severity == Severity::error) {
              message += fmt::format("{}error[{}]: {}", message.empty() ? "" : "\n",
                                     diagnostic.code, diagnostic.message);
            }
          }
          errors.emplace_back(row, std::move(message));
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
          nlohmann::ordered_json& read = json["sources"] = nlohmann::ordered_json::array();
          for (auto& [name, entry] : fact_sources_json(*guideline_, *record, *facts)) {
            nlohmann::ordered_json item;
            item["fact"] = name;
            item.update(entry);
            read.push_back(std::move(item));
          }
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
                               at.column, diagnostic.message));
  }
  std::string formatted = format_diagnostics(sources, diagnostics);
  py::object compiled = py::none();
  if (guideline) {
    compiled = py::cast(std::make_shared<CompiledGuideline>(std::move(sources), guideline));
  }
  return py::make_tuple(compiled, list, formatted);
}

}  // namespace
}  // namespace rubric

PYBIND11_MODULE(_rubric, module) {
  using rubric::CompiledGuideline;
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
      .def("outcome_table", &CompiledGuideline::outcome_table, py::arg("lines"), py::arg("as_of"))
      .def("explain", &CompiledGuideline::explain, py::arg("facts_json"), py::arg("is_record"),
           py::arg("ids"), py::arg("as_of"))
      .def("facts", &CompiledGuideline::facts)
      .def("recommendations", &CompiledGuideline::recommendations);
  module.def("compile", &rubric::compile, py::arg("text"), py::arg("name"));
  module.attr("kMaxLineBytes") = rubric::kMaxSourceBytes;
}
