// Reading fact files (YAML or JSON) into fact sets.
//
// Diagnostic codes of fact files:
//   E0401  the text is not valid YAML or JSON: a syntax error (at the parser's position), a
//          control character that neither format allows (also when written as an escape in
//          a string: `\u0000`, `"\0"`), or a YAML tag other than `!!str`
//   E0402  the top level (or a case file's `facts:`) is not a mapping from fact names to
//          values: a list, a scalar, a second YAML document, or more than 100,000 documents
//   E0403  a key that is not a fact name: a list, a mapping, a null or empty key
//   E0404  an unknown fact name, with the nearest declared name when one is close
//   E0405  a fact given twice (with a note at the first one)
//   E0406  a value of the wrong type: a word or a boolean for a number, a number for a
//          boolean, `1.5` for an integer, a number with an exponent, NaN or infinity, a list
//          or a mapping, a quantity that is not `<number> <unit>`
//   E0407  a duration (or other quantity) without a unit: `10` for `10 weeks`
//   E0408  a quantity whose unit is unknown or of another dimension: `5 mg` for a duration
//   E0409  a value outside the fact's limits or allowed codes, or too large (or too precise)
//          to be represented
#include "tools/fact_file.hpp"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dsl/parser.hpp"
#include "values/ascii_text.hpp"
#include "values/decimal_text.hpp"
#include "values/fact_value_reader.hpp"

namespace rubric {
namespace {

using ascii::ends_with_ignoring_case;
using ascii::equal_ignoring_case;
using ascii::is_digit;
using ascii::is_space;
using ascii::trim;

// ---------------------------------------------------------------------------------------
// Messages

// A list or mapping given for a fact.
void report_not_scalar(const FactSpec& fact, std::string_view what, SourceRange range,
                       Diagnostics& diagnostics) {
  diagnostics
      .report(DiagnosticKind::wrong_fact_type, range,
              fmt::format("fact {} must be {}; found {}", in_backticks(fact.name),
                          expected_with_example(fact), what))
      .subject = fact.name;
}

// ---------------------------------------------------------------------------------------
// Fact names

class FactIndex {
 public:
  explicit FactIndex(std::span<const FactSpec> facts) : facts_(facts) {
    for (std::size_t index = 0; index < facts.size(); ++index) {
      if (facts[index].evaluation_date) {
        continue;  // given by the evaluation (`--as-of`), never by a fact file
      }
      by_name_.emplace(facts[index].name, static_cast<std::uint32_t>(index));
      names_.push_back(facts[index].name);
    }
  }

  [[nodiscard]] std::optional<FactId> find(std::string_view name) const {
    const auto found = by_name_.find(name);
    if (found == by_name_.end()) {
      return std::nullopt;
    }
    return FactId{found->second};
  }

  // The declared name the reader probably meant, or empty.
  [[nodiscard]] std::string suggestion(std::string_view name) const {
    for (const std::string_view candidate : names_) {
      if (equal_ignoring_case(name, candidate)) {
        return std::string(candidate);  // names are case-sensitive: `Pain_VAS`
      }
    }
    if (name.size() > 200) {
      return {};
    }
    return closest_name(name, names_);
  }

  [[nodiscard]] const FactSpec& spec(FactId id) const { return facts_[id.value]; }
  [[nodiscard]] std::size_t size() const { return facts_.size(); }

 private:
  std::span<const FactSpec> facts_;
  std::unordered_map<std::string_view, std::uint32_t> by_name_;
  std::vector<std::string_view> names_;
};

// Checks one key: reports an unknown or repeated name; returns the fact when its value
// should be read, and in `duplicate` whether it was given before.
// With `cap`, a name whose E0404 the cap will leave out is not given a suggestion (the
// search costs more than the rest of the reading).
std::optional<FactId> check_key(const FactIndex& index, std::string_view name, SourceRange range,
                                std::vector<std::optional<SourceRange>>& seen, bool& duplicate,
                                Diagnostics& diagnostics, const DiagnosticCap* cap = nullptr) {
  duplicate = false;
  if (name.empty()) {
    diagnostics.report(DiagnosticKind::not_a_fact_name, range, "a fact name is missing before `:`");
    return std::nullopt;
  }
  const std::optional<FactId> id = index.find(name);
  if (!id && first_control_character(name) != std::string_view::npos) {
    diagnostics.report(
        DiagnosticKind::invalid_fact_text, range,
        fmt::format(
            "invalid character U+{:04X} in the fact name {}; fact files are text",
            static_cast<unsigned>(static_cast<unsigned char>(name[first_control_character(name)])),
            in_backticks(shown(name))));
    return std::nullopt;
  }
  if (!id) {
    std::string message = fmt::format("unknown fact {}", in_backticks(shown(name)));
    const std::string suggestion = cap != nullptr && cap->full(DiagnosticKind::unknown_fact)
                                       ? std::string()
                                       : index.suggestion(name);
    if (name == kEvaluationDateName || name == "Today" || name == "today") {
      message +=
          "; the evaluation date that `Today()` reads is not a fact: give it with "
          "`--as-of YYYY-MM-DD`";
    } else if (!suggestion.empty()) {
      message += fmt::format("; did you mean {}?", in_backticks(suggestion));
    }
    diagnostics.report(DiagnosticKind::unknown_fact, range, std::move(message)).subject = name;
    return std::nullopt;
  }
  if (seen[id->value]) {
    duplicate = true;
    Diagnostic& diagnostic =
        diagnostics.report(DiagnosticKind::repeated_fact, range,
                           fmt::format("fact {} is given twice", in_backticks(name)));
    diagnostic.notes.push_back({*seen[id->value], "first given here"});
    diagnostic.subject = name;
  } else {
    seen[id->value] = range;
  }
  return id;
}

// Reads one value for fact `id` into `set` (unless it repeats a fact).
void read_value(const FactIndex& index, FactId id, bool duplicate, const RawScalar& scalar,
                FactSet& set, Diagnostics& diagnostics) {
  const std::optional<Value> value = read_fact_value(index.spec(id), scalar, set, diagnostics);
  if (value && !duplicate) {
    set.set(id, *value);
  }
}

std::optional<FactSet> result_or_nullopt(FactSet&& set, const Diagnostics& diagnostics,
                                         std::size_t errors_before) {
  if (diagnostics.error_count() != errors_before) {
    return std::nullopt;
  }
  return std::optional<FactSet>(std::move(set));
}

// ---------------------------------------------------------------------------------------
// Positions

// Maps yaml-cpp marks (zero-based line, and column in bytes) to ranges in the file.
class Locator {
 public:
  Locator(const SourceManager& sources, FileId file)
      : sources_(sources), file_(file), text_(sources.text(file)) {}

  [[nodiscard]] const SourceManager& sources() const { return sources_; }
  [[nodiscard]] FileId file() const { return file_; }
  [[nodiscard]] std::string_view text() const { return text_; }

  [[nodiscard]] std::uint32_t offset(const YAML::Mark& mark) const {
    if (mark.line < 0 || mark.column < 0) {
      return 0;
    }
    const std::uint32_t line_start =
        sources_.offset_of(file_, LineColumn{static_cast<std::uint32_t>(mark.line) + 1, 1});
    std::size_t line_end = text_.find('\n', line_start);
    if (line_end == std::string_view::npos) {
      line_end = text_.size();
    }
    const std::size_t offset =
        std::min<std::size_t>(line_start + static_cast<std::size_t>(mark.column), line_end);
    return static_cast<std::uint32_t>(offset);
  }

  [[nodiscard]] SourceRange at(const YAML::Mark& mark, std::uint32_t length = 1) const {
    const std::uint32_t start = offset(mark);
    const auto available = static_cast<std::uint32_t>(text_.size() - start);
    return SourceRange{file_, start, std::min(length, available)};
  }

  // The range of a scalar node as written: quotes included, up to the end of its line.
  [[nodiscard]] SourceRange scalar(const YAML::Node& node) const {
    const std::uint32_t start = offset(node.Mark());
    if (start >= text_.size()) {
      return SourceRange{file_, start, 0};
    }
    const std::string_view rest = text_.substr(start);
    const std::string_view line = rest.substr(0, rest.find('\n'));
    std::size_t length = 0;
    const char first = rest.front();
    if (first == '"' || first == '\'') {
      length = line.size();
      for (std::size_t index = 1; index < rest.size(); ++index) {
        if (first == '"' && rest[index] == '\\') {
          ++index;
        } else if (rest[index] == first) {
          if (first == '\'' && index + 1 < rest.size() && rest[index + 1] == '\'') {
            ++index;
            continue;
          }
          length = index + 1;
          break;
        }
      }
    } else if (first == '|' || first == '>' || first == '!' || first == '&' || first == '*') {
      length = 1;
    } else {
      const std::string& written = node.IsScalar() ? node.Scalar() : std::string();
      if (!written.empty() && rest.starts_with(written)) {
        length = written.size();
      } else {
        const std::size_t comment = line.find(" #");
        length = trim(line.substr(0, comment)).size();
      }
    }
    return SourceRange{file_, start, static_cast<std::uint32_t>(std::max<std::size_t>(length, 1))};
  }

 private:
  const SourceManager& sources_;
  FileId file_;
  std::string_view text_;
};

// Reports the first character neither YAML nor JSON allows (a NUL byte, a control
// character); true when there is none.
bool check_characters(const Locator& locator, Diagnostics& diagnostics) {
  const std::string_view text = locator.text();
  // JSON readers reject invalid UTF-8 themselves, but yaml-cpp passes it through into string
  // values (and from there into reports).
  if (const std::optional<std::size_t> bad = first_invalid_utf8(text)) {
    diagnostics.report(DiagnosticKind::invalid_fact_text,
                       SourceRange{locator.file(), static_cast<std::uint32_t>(*bad), 1},
                       "invalid UTF-8; fact files must be UTF-8 text");
    return false;
  }
  return check_fact_characters(text, SourceRange{locator.file(), 0, 0}, diagnostics);
}

// ---------------------------------------------------------------------------------------
// YAML

RawScalar yaml_scalar(const YAML::Node& node, const Locator& locator) {
  RawScalar scalar;
  if (!node.IsScalar()) {
    scalar.kind = ScalarKind::null;
    return scalar;
  }
  scalar.text = node.Scalar();
  scalar.range = locator.scalar(node);
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") {
    scalar.kind = ScalarKind::string;
    scalar.quoted = true;
  } else {
    scalar.kind = classify_plain_scalar(scalar.text);
  }
  return scalar;
}

const char* yaml_shape(const YAML::Node& node) {
  return node.IsSequence() ? "a list" : node.IsMap() ? "a mapping" : "a value";
}

void read_yaml_entries(const YAML::Node& mapping, const Locator& locator, const FactIndex& index,
                       FactSet& set, Diagnostics& output) {
  std::vector<std::optional<SourceRange>> seen(index.size());
  DiagnosticCap cap(output);
  Diagnostics& diagnostics = cap.scratch();
  for (auto entry = mapping.begin(); entry != mapping.end(); ++entry) {
    cap.flush();
    const YAML::Node key = entry->first;
    const YAML::Node value = entry->second;
    if (!key.IsScalar()) {
      if (key.IsNull()) {
        diagnostics.report(DiagnosticKind::not_a_fact_name, locator.at(key.Mark()),
                           "a fact name is missing before `:`");
      } else {
        diagnostics.report(DiagnosticKind::not_a_fact_name, locator.at(key.Mark()),
                           fmt::format("a fact name must be a name; found {}", yaml_shape(key)));
      }
      continue;
    }
    bool duplicate = false;
    const std::optional<FactId> id =
        check_key(index, key.Scalar(), locator.scalar(key), seen, duplicate, diagnostics, &cap);
    if (!id) {
      continue;
    }
    if (value.IsSequence() || value.IsMap()) {
      report_not_scalar(index.spec(*id), yaml_shape(value), locator.at(value.Mark()), diagnostics);
      continue;
    }
    read_value(index, *id, duplicate, yaml_scalar(value, locator), set, diagnostics);
  }
  cap.finish();
}

// Reads a YAML mapping node (or null: no facts). `what` names it in messages.
void read_yaml_mapping(const YAML::Node& node, const Locator& locator, const FactIndex& index,
                       std::string_view what, FactSet& set, Diagnostics& diagnostics) {
  if (!node.IsDefined() || node.IsNull()) {
    return;
  }
  if (!node.IsMap()) {
    const std::string found =
        node.IsScalar() ? in_backticks(shown(node.Scalar())) : std::string(yaml_shape(node));
    const SourceRange range = node.IsScalar() ? locator.scalar(node) : locator.at(node.Mark());
    diagnostics.report(
        DiagnosticKind::facts_not_a_mapping, range,
        fmt::format("{} must be a mapping from fact names to values; found {}", what, found));
    return;
  }
  read_yaml_entries(node, locator, index, set, diagnostics);
}

void report_yaml_exception(const YAML::Exception& error, const Locator& locator,
                           Diagnostics& diagnostics) {
  std::string message = error.msg.empty() ? std::string("unreadable YAML") : error.msg;
  if (dynamic_cast<const YAML::DeepRecursion*>(&error) != nullptr) {
    // yaml-cpp's message for its recursion limit (about 500 levels of flow lists) is "bad file".
    message = "nested too deeply; flatten the lists and mappings";
  }
  diagnostics.report(DiagnosticKind::invalid_fact_text, locator.at(error.mark),
                     fmt::format("invalid YAML: {}", message));
}

// The documents of a YAML stream, as the parser's events show them: where each starts and
// whether its root is null. A first pass over these events guards against yaml-cpp 0.7,
// whose LoadAll loops forever (allocating) on a stray `,` at block level (`,a: 1`), and whose
// Load then silently returns a null document.
class DocumentEvents final : public YAML::EventHandler {
 public:
  struct Document {
    YAML::Mark start;
    YAML::Mark root;
    bool null_root = true;
  };

  std::vector<Document> documents;
  // Where the first node with a tag other than `!!str` (on a scalar) is, if any: fact
  // files take plain values, and a tag such as `!!python/object:...` must not pass unseen.
  std::optional<YAML::Mark> tagged;

  void OnDocumentStart(const YAML::Mark& mark) override {
    documents.push_back(Document{mark, mark, true});
    depth_ = 0;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t /*anchor*/) override { node(mark, true); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t /*anchor*/) override { node(mark, false); }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t /*anchor*/,
                const std::string& /*value*/) override {
    node(mark, false);
    check_tag(mark, tag, true);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t /*anchor*/,
                       YAML::EmitterStyle::value /*style*/) override {
    node(mark, false);
    check_tag(mark, tag, false);
    ++depth_;
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t /*anchor*/,
                  YAML::EmitterStyle::value /*style*/) override {
    node(mark, false);
    check_tag(mark, tag, false);
    ++depth_;
  }
  void OnMapEnd() override { --depth_; }

 private:
  // yaml-cpp gives an untagged node the tag `?` (plain) or `!` (quoted, or the non-specific
  // tag `!`).
  void check_tag(const YAML::Mark& mark, const std::string& tag, bool scalar) {
    const bool allowed =
        tag.empty() || tag == "?" || tag == "!" || (scalar && tag == "tag:yaml.org,2002:str");
    if (!allowed && !tagged) {
      tagged = mark;
    }
  }

  void node(const YAML::Mark& mark, bool null) {
    if (depth_ == 0 && !documents.empty()) {
      documents.back().root = mark;
      documents.back().null_root = null;
    }
  }

  std::size_t depth_ = 0;
};

void read_yaml_text(const Locator& locator, const FactIndex& index, FactSet& set,
                    Diagnostics& diagnostics) {
  std::optional<YAML::Node> document =
      load_yaml_document(locator.sources(), locator.file(), diagnostics, "a fact file");
  if (document) {
    read_yaml_mapping(*document, locator, index, "a fact file", set, diagnostics);
  }
}

// ---------------------------------------------------------------------------------------
// JSON

// An input iterator over the text that records how far the JSON parser has read, so that
// SAX events can be given positions.
class TrackingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  TrackingIterator() = default;
  TrackingIterator(const char* position, const char** reached)
      : position_(position), reached_(reached) {}

  reference operator*() const { return *position_; }
  TrackingIterator& operator++() {
    ++position_;
    if (reached_ != nullptr) {
      *reached_ = position_;
    }
    return *this;
  }
  TrackingIterator operator++(int) {
    TrackingIterator before = *this;
    ++*this;
    return before;
  }
  friend bool operator==(const TrackingIterator& a, const TrackingIterator& b) {
    return a.position_ == b.position_;
  }

 private:
  const char* position_ = nullptr;
  const char** reached_ = nullptr;
};

using Json = nlohmann::json;

// "syntax error while parsing value - invalid literal; last read: 'tru'" from nlohmann's
// "[json.exception.parse_error.101] parse error at line 1, column 4: syntax error ...".
std::string json_error_text(std::string_view what) {
  if (what.starts_with("[json.exception.")) {
    const std::size_t close = what.find("] ");
    if (close != std::string_view::npos) {
      what.remove_prefix(close + 2);
    }
  }
  if (what.starts_with("parse error")) {
    const std::size_t colon = what.find(": ");
    if (colon != std::string_view::npos) {
      what.remove_prefix(colon + 2);
    }
  }
  return std::string(what);
}

class JsonReader final : public nlohmann::json_sax<Json> {
 public:
  JsonReader(const Locator& locator, const FactIndex& index, FactSet& set, Diagnostics& output)
      : locator_(locator),
        index_(index),
        set_(set),
        cap_(output),
        diagnostics_(cap_.scratch()),
        seen_(index.size()) {}

  void read() {
    const std::string_view text = locator_.text();
    reached_ = text.data();
    const TrackingIterator first(text.data(), &reached_);
    const TrackingIterator last(text.data() + text.size(), nullptr);
    Json::sax_parse(first, last, this);
    cap_.finish();
  }

  bool null() override {
    RawScalar scalar;
    scalar.kind = ScalarKind::null;
    scalar.text = "null";
    return scalar_value(scalar, ScanEnd::reached);
  }
  bool boolean(bool value) override {
    RawScalar scalar;
    scalar.kind = ScalarKind::boolean;
    scalar.text = value ? "true" : "false";
    return scalar_value(scalar, ScanEnd::reached);
  }
  bool number_integer(number_integer_t value) override { return number(std::to_string(value)); }
  bool number_unsigned(number_unsigned_t value) override { return number(std::to_string(value)); }
  bool number_float(number_float_t /*value*/, const string_t& text) override {
    return number(text);
  }
  bool string(string_t& value) override {
    RawScalar scalar;
    scalar.kind = ScalarKind::string;
    scalar.text = value;
    scalar.quoted = true;
    return scalar_value(scalar, ScanEnd::reached);
  }
  bool binary(binary_t& /*value*/) override { return true; }

  bool start_object(std::size_t /*elements*/) override { return enter("a mapping", true); }
  bool end_object() override { return leave(); }
  bool start_array(std::size_t /*elements*/) override { return enter("a list", false); }
  bool end_array() override { return leave(); }

  bool key(string_t& name) override {
    if (depth_ != 1) {
      return true;
    }
    // The parser has just read the closing quote of the key; find its opening quote.
    const std::string_view text = locator_.text();
    const auto end = static_cast<std::size_t>(reached_ - text.data());
    std::size_t start = end >= 2 ? end - 2 : 0;
    while (start > 0) {
      if (text[start] == '"') {
        std::size_t backslashes = 0;
        while (backslashes < start && text[start - 1 - backslashes] == '\\') {
          ++backslashes;
        }
        if (backslashes % 2 == 0) {
          break;
        }
      }
      --start;
    }
    key_end_ = end;
    cap_.flush();
    const SourceRange range{locator_.file(), static_cast<std::uint32_t>(start),
                            static_cast<std::uint32_t>(end - start)};
    current_ = check_key(index_, name, range, seen_, duplicate_, diagnostics_, &cap_);
    return true;
  }

  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& error) override {
    const std::string_view text = locator_.text();
    if (error.id == 406 && depth_ == 1 && current_) {
      // A number too large for a double: a value problem, not a syntax error.
      RawScalar scalar;
      scalar.kind = ScalarKind::number;
      scalar.text = last_token;
      scalar.range = value_range(ScanEnd::number);
      read_value(index_, *current_, duplicate_, scalar, set_, diagnostics_);
      return false;
    }
    std::size_t offset = position > 0 ? position - 1 : 0;
    offset = std::min(offset, text.size());
    const auto length = static_cast<std::uint32_t>(offset < text.size() ? 1 : 0);
    diagnostics_.report(DiagnosticKind::invalid_fact_text,
                        SourceRange{locator_.file(), static_cast<std::uint32_t>(offset), length},
                        fmt::format("invalid JSON: {}", json_error_text(error.what())));
    return false;
  }

 private:
  enum class ScanEnd { reached, number };

  bool number(std::string_view text) {
    RawScalar scalar;
    scalar.kind = ScalarKind::number;
    scalar.text = text;
    return scalar_value(scalar, ScanEnd::number);
  }

  // The start of the value after the current key: past blanks and the colon.
  [[nodiscard]] std::size_t value_start() const {
    const std::string_view text = locator_.text();
    std::size_t offset = key_end_;
    while (offset < text.size() && (is_space(text[offset]) || text[offset] == ':')) {
      ++offset;
    }
    return offset;
  }

  [[nodiscard]] SourceRange value_range(ScanEnd how) const {
    const std::string_view text = locator_.text();
    const std::size_t start = value_start();
    std::size_t end = start;
    if (how == ScanEnd::reached) {
      end = std::max(start, static_cast<std::size_t>(reached_ - text.data()));
    } else {
      while (end < text.size() && (is_digit(text[end]) || text[end] == '-' || text[end] == '+' ||
                                   text[end] == '.' || text[end] == 'e' || text[end] == 'E')) {
        ++end;
      }
    }
    return SourceRange{locator_.file(), static_cast<std::uint32_t>(start),
                       static_cast<std::uint32_t>(end - start)};
  }

  bool scalar_value(RawScalar scalar, ScanEnd how) {
    if (depth_ == 0) {
      top_level_error(in_backticks(shown(scalar.text)), 0);
      return false;
    }
    if (depth_ == 1 && current_) {
      scalar.range = value_range(how);
      read_value(index_, *current_, duplicate_, scalar, set_, diagnostics_);
    }
    return true;
  }

  // A mapping or list (`what`) starts; only a mapping may stand at the top level.
  bool enter(const char* what, bool allowed_at_top) {
    if (depth_ == 0 && !allowed_at_top) {
      top_level_error(what, 1);
      return false;
    }
    if (depth_ == 1) {
      container_value(what);
    }
    ++depth_;
    return true;
  }

  bool leave() {
    --depth_;
    return true;
  }

  void container_value(const char* what) {
    if (current_) {
      const SourceRange range{locator_.file(), static_cast<std::uint32_t>(value_start()), 1};
      report_not_scalar(index_.spec(*current_), what, range, diagnostics_);
    }
  }

  void top_level_error(const std::string& found, std::uint32_t length) {
    const std::string_view text = locator_.text();
    std::size_t start = 0;
    while (start < text.size() && is_space(text[start])) {
      ++start;
    }
    std::uint32_t shown_length = length;
    if (length == 0) {
      shown_length = static_cast<std::uint32_t>(
          std::max(start, static_cast<std::size_t>(reached_ - text.data())) - start);
    }
    diagnostics_.report(
        DiagnosticKind::facts_not_a_mapping,
        SourceRange{locator_.file(), static_cast<std::uint32_t>(start), shown_length},
        fmt::format("a fact file must be a mapping from fact names to values; found {}", found));
  }

  const Locator& locator_;
  const FactIndex& index_;
  FactSet& set_;
  DiagnosticCap cap_;
  Diagnostics& diagnostics_;  // cap_'s scratch
  std::vector<std::optional<SourceRange>> seen_;
  const char* reached_ = nullptr;
  std::size_t depth_ = 0;
  std::size_t key_end_ = 0;
  std::optional<FactId> current_;
  bool duplicate_ = false;
};

bool is_json(std::string_view name, std::string_view text) {
  if (ends_with_ignoring_case(name, ".json")) {
    return true;
  }
  if (ends_with_ignoring_case(name, ".yaml") || ends_with_ignoring_case(name, ".yml")) {
    return false;
  }
  const std::string_view content = trim(text);
  return !content.empty() && content.front() == '{';
}

void report_unexpected(const std::exception& error, const Locator& locator,
                       Diagnostics& diagnostics) {
  diagnostics.report(DiagnosticKind::invalid_fact_text, SourceRange{locator.file(), 0, 0},
                     fmt::format("could not read the fact file: {}", error.what()));
}

// Runs `read`, which reads `locator`'s file and reports what is wrong in it; an exception it
// throws becomes a diagnostic (`failure` for one neither YAML's nor standard) and nullopt.
template <typename Read>
auto read_reporting_exceptions(const Locator& locator, Diagnostics& diagnostics,
                               const char* failure, const Read& read) -> decltype(read()) {
  try {
    return read();
  } catch (const YAML::Exception& error) {
    report_yaml_exception(error, locator, diagnostics);
  } catch (const std::exception& error) {
    report_unexpected(error, locator, diagnostics);
  } catch (...) {
    diagnostics.report(DiagnosticKind::invalid_fact_text, SourceRange{locator.file(), 0, 0},
                       failure);
  }
  return std::nullopt;
}

}  // namespace

std::optional<YAML::Node> load_yaml_document(const SourceManager& sources, FileId file,
                                             Diagnostics& diagnostics, std::string_view what) {
  const Locator locator(sources, file);
  return read_reporting_exceptions(
      locator, diagnostics, "could not read the YAML file", [&]() -> std::optional<YAML::Node> {
        if (!check_characters(locator, diagnostics)) {
          return std::nullopt;
        }
        const std::string text(locator.text());
        DocumentEvents events;
        {
          std::istringstream stream(text);
          YAML::Parser parser(stream);
          constexpr std::size_t kMaximumDocuments = 100000;
          while (parser.HandleNextDocument(events)) {
            const std::size_t count = events.documents.size();
            const bool stuck = count >= 2 && events.documents[count - 1].start.pos ==
                                                 events.documents[count - 2].start.pos;
            if (count > kMaximumDocuments) {
              diagnostics.report(DiagnosticKind::facts_not_a_mapping,
                                 locator.at(events.documents.back().start),
                                 fmt::format("{} must hold one YAML document; found more than {}",
                                             what, kMaximumDocuments));
              return std::nullopt;
            }
            if (stuck) {
              const SourceRange range = locator.at(events.documents.back().start);
              const std::string_view found = sources.text(range);
              diagnostics.report(DiagnosticKind::invalid_fact_text, range,
                                 found.empty() ? std::string("invalid YAML: unexpected text")
                                               : fmt::format("invalid YAML: unexpected {}",
                                                             in_backticks(shown(found))));
              return std::nullopt;
            }
          }
        }
        if (events.tagged) {
          SourceRange range = locator.at(*events.tagged);
          const std::string_view rest = locator.text().substr(range.offset);
          const std::size_t length = std::min<std::size_t>(rest.find_first_of(" \t\r\n"), 200);
          range.length = static_cast<std::uint32_t>(std::max<std::size_t>(length, 1));
          diagnostics.report(
              DiagnosticKind::invalid_fact_text, range,
              fmt::format("YAML tag {} is not allowed in {}; write the value without it "
                          "(`!!str` is the only tag allowed)",
                          in_backticks(shown(sources.text(range))), what));
          return std::nullopt;
        }
        for (std::size_t index = 1; index < events.documents.size(); ++index) {
          if (!events.documents[index].null_root) {
            diagnostics.report(
                DiagnosticKind::facts_not_a_mapping, locator.at(events.documents[index].root),
                fmt::format("{} must hold one YAML document; found a second one", what));
            return std::nullopt;
          }
        }
        if (events.documents.empty() || events.documents.front().null_root) {
          return YAML::Node();  // empty, comments only, or null
        }
        return YAML::Load(text);
      });
}

std::optional<Value> read_fact_value(const FactSpec& fact, const RawScalar& scalar,
                                     FactSet& storage, Diagnostics& diagnostics) {
  FactValueReading reading = read_fact_value(fact, static_cast<const WrittenScalar&>(scalar));
  if (!reading.accepted()) {
    Diagnostic& diagnostic =
        diagnostics.report(*reading.problem, scalar.range, std::move(reading.message));
    // A character error is about the text, not the fact's value: it names no subject.
    if (*reading.problem != DiagnosticKind::invalid_fact_text) {
      diagnostic.subject = fact.name;
    }
    return std::nullopt;
  }
  if (reading.value.kind() == ValueKind::string) {
    return Value::string(storage.keep(reading.value.as_string()));
  }
  return reading.value;
}

std::optional<FactSet> read_fact_mapping(const YAML::Node& mapping, const SourceManager& sources,
                                         FileId file, std::span<const FactSpec> facts,
                                         Diagnostics& diagnostics) {
  const std::size_t errors_before = diagnostics.error_count();
  const Locator locator(sources, file);
  return read_reporting_exceptions(
      locator, diagnostics, "could not read the facts", [&]() -> std::optional<FactSet> {
        const FactIndex index(facts);
        FactSet set(facts.size());
        read_yaml_mapping(mapping, locator, index, "facts", set, diagnostics);
        return result_or_nullopt(std::move(set), diagnostics, errors_before);
      });
}

std::optional<FactSet> read_fact_file(const SourceManager& sources, FileId file,
                                      std::span<const FactSpec> facts, Diagnostics& diagnostics) {
  const std::size_t errors_before = diagnostics.error_count();
  const Locator locator(sources, file);
  return read_reporting_exceptions(
      locator, diagnostics, "could not read the fact file", [&]() -> std::optional<FactSet> {
        const FactIndex index(facts);
        FactSet set(facts.size());
        if (trim(locator.text()).empty()) {
          return set;  // an empty file: no facts
        }
        if (!check_characters(locator, diagnostics)) {
          return std::nullopt;
        }
        if (is_json(sources.name(file), locator.text())) {
          JsonReader reader(locator, index, set, diagnostics);
          reader.read();
        } else {
          read_yaml_text(locator, index, set, diagnostics);
        }
        return result_or_nullopt(std::move(set), diagnostics, errors_before);
      });
}

void report_unknown_fact(std::span<const FactSpec> facts, std::string_view name, SourceRange range,
                         Diagnostics& diagnostics) {
  const FactIndex index(facts);
  if (!name.empty() && index.find(name)) {
    return;  // a declared fact: nothing to report
  }
  std::vector<std::optional<SourceRange>> seen(facts.size());
  bool duplicate = false;
  check_key(index, name, range, seen, duplicate, diagnostics);
}

SourceRange yaml_node_range(const SourceManager& sources, FileId file, const YAML::Node& node) {
  const Locator locator(sources, file);
  return node.IsScalar() ? locator.scalar(node) : locator.at(node.Mark());
}

RawScalar yaml_raw_scalar(const SourceManager& sources, FileId file, const YAML::Node& node) {
  return yaml_scalar(node, Locator(sources, file));
}

void report_repeated_fact(std::string_view name, SourceRange range, SourceRange first,
                          Diagnostics& diagnostics) {
  Diagnostic& diagnostic =
      diagnostics.report(DiagnosticKind::repeated_fact, range,
                         fmt::format("fact {} is given twice", in_backticks(name)));
  diagnostic.notes.push_back({first, "first given here"});
  diagnostic.subject = name;
}

void report_container_value(const FactSpec& fact, std::string_view what, SourceRange range,
                            Diagnostics& diagnostics) {
  report_not_scalar(fact, what, range, diagnostics);
}

void report_not_a_mapping(std::string_view found, SourceRange range, Diagnostics& diagnostics) {
  diagnostics.report(
      DiagnosticKind::facts_not_a_mapping, range,
      fmt::format("a fact file must be a mapping from fact names to values; found {}", found));
}

bool check_fact_characters(std::string_view text, SourceRange range, Diagnostics& diagnostics) {
  const std::size_t index = first_control_character(text);
  if (index == std::string_view::npos) {
    return true;
  }
  diagnostics.report(DiagnosticKind::invalid_fact_text,
                     SourceRange{range.file, range.offset + static_cast<std::uint32_t>(index), 1},
                     fmt::format("invalid character U+{:04X} in a fact file; fact files are text",
                                 static_cast<unsigned>(static_cast<unsigned char>(text[index]))));
  return false;
}

bool DiagnosticCap::full(DiagnosticKind kind) const {
  const auto found = std::find_if(codes_.begin(), codes_.end(),
                                  [&](const Code& seen) { return seen.kind == kind; });
  return found != codes_.end() && found->shown >= kShownPerCode;
}

void DiagnosticCap::flush() {
  for (const Diagnostic& diagnostic : scratch_.all()) {
    auto code = std::find_if(codes_.begin(), codes_.end(),
                             [&](const Code& seen) { return seen.kind == diagnostic.kind; });
    if (code == codes_.end()) {
      codes_.push_back(Code{diagnostic.kind, 0, 0, SourceRange{}});
      code = codes_.end() - 1;
    }
    if (code->shown < kShownPerCode || diagnostic.severity != Severity::error) {
      ++code->shown;
      output_.add(diagnostic);
      continue;
    }
    if (code->left_out == 0) {
      code->first_left_out = diagnostic.range;
    }
    ++code->left_out;
  }
  scratch_ = Diagnostics();
}

void DiagnosticCap::finish() {
  flush();
  for (Code& code : codes_) {
    if (code.left_out == 0) {
      continue;
    }
    const bool one = code.left_out == 1;
    std::string what;
    if (code.kind == DiagnosticKind::not_a_fact_name) {
      what = one ? "key that is not a fact name" : "keys that are not fact names";
    } else if (code.kind == DiagnosticKind::unknown_fact) {
      what = one ? "unknown fact" : "unknown facts";
    } else if (code.kind == DiagnosticKind::repeated_fact) {
      what = one ? "fact given twice" : "facts given twice";
    } else if (code.kind == DiagnosticKind::wrong_fact_type) {
      what = one ? "value of the wrong type" : "values of the wrong type";
    } else if (code.kind == DiagnosticKind::missing_unit) {
      what = one ? "quantity without a unit" : "quantities without a unit";
    } else if (code.kind == DiagnosticKind::wrong_unit) {
      what = one ? "quantity with an unknown or wrong unit"
                 : "quantities with an unknown or wrong unit";
    } else if (code.kind == DiagnosticKind::fact_out_of_range) {
      what = one ? "value out of range" : "values out of range";
    } else {
      what = one ? "error of this kind" : "errors of this kind";
    }
    output_.report(
        code.kind, code.first_left_out,
        fmt::format("and {} more {} (not listed; the first is here)", code.left_out, what));
    code.left_out = 0;
  }
}

}  // namespace rubric
