#include "tools/ndjson_facts.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "tools/fact_file.hpp"

namespace rubric {
namespace {

namespace ondemand = simdjson::ondemand;

static_assert(kNdjsonPadding >= simdjson::SIMDJSON_PADDING);

constexpr std::string_view kTrue = "true";
constexpr std::string_view kFalse = "false";
constexpr std::string_view kNullText = "null";

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim_right(std::string_view text) {
  while (!text.empty() && is_json_space(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

// A JSON number as RFC 8259 writes it: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
// simdjson's On-Demand front end leaves a number's text unchecked until it is converted, and
// the fact-file rules need the exact text (for exact decimals), so it is checked here.
bool is_json_number(std::string_view text) {
  std::size_t at = 0;
  const auto digits = [&] {
    const std::size_t start = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      ++at;
    }
    return at - start;
  };
  if (at < text.size() && text[at] == '-') {
    ++at;
  }
  if (at < text.size() && text[at] == '0') {
    ++at;
  } else if (digits() == 0) {
    return false;
  }
  if (at < text.size() && text[at] == '.') {
    ++at;
    if (digits() == 0) {
      return false;
    }
  }
  if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
    ++at;
    if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
      ++at;
    }
    if (digits() == 0) {
      return false;
    }
  }
  return at == text.size();
}

// What went wrong, for a person, from simdjson's error code.
std::string_view syntax_problem(simdjson::error_code error) {
  switch (error) {
    case simdjson::UTF8_ERROR: return "the line is not valid UTF-8";
    case simdjson::UNCLOSED_STRING: return "a string is not closed";
    case simdjson::STRING_ERROR: return "a string holds an invalid escape sequence";
    case simdjson::UNESCAPED_CHARS: return "a string holds an unescaped control character";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR: return "invalid literal; expected `true`, `false` or `null`";
    case simdjson::NUMBER_ERROR: return "invalid number";
    case simdjson::DEPTH_ERROR: return "too deeply nested";
    case simdjson::CAPACITY: return "the line is too long";
    case simdjson::EMPTY: return "the line holds no JSON value";
    case simdjson::MEMALLOC: return "out of memory";
    default:
      return "the line is not one well-formed JSON object (a missing or extra comma, colon, "
             "quote, brace or bracket)";
  }
}

// True when `text` holds a byte below 0x20 other than tab, line feed and carriage return,
// or DEL: the characters check_fact_characters rejects. Eight bytes at a time; the exact
// check (and its message) runs only on lines this finds something in.
bool may_hold_control_character(std::string_view text) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  std::size_t at = 0;
  // No early exit: the loop is branch-free and vectorizes; lines are short.
  std::uint64_t found = 0;
  for (; at + 8 <= text.size(); at += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, text.data() + at, 8);
    // A byte below 0x20 (has-less-than trick), or equal to 0x7F (has-zero of word ^ 0x7F..).
    const std::uint64_t below = (word - kOnes * 0x20U) & ~word & kHigh;
    const std::uint64_t del =
        ((word ^ (kOnes * 0x7FU)) - kOnes) & ~(word ^ (kOnes * 0x7FU)) & kHigh;
    found |= below | del;
  }
  if (found != 0) {
    return true;
  }
  for (; at < text.size(); ++at) {
    const auto byte = static_cast<unsigned char>(text[at]);
    if (byte < 0x20U || byte == 0x7FU) {
      return true;
    }
  }
  return false;
}

// a == b for the short texts of keys and values, inline (a libc memcmp call per key costs
// more than the comparison).
[[gnu::always_inline]] inline bool same_text(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  std::size_t at = 0;
  for (; at + 8 <= a.size(); at += 8) {
    std::uint64_t x = 0;
    std::uint64_t y = 0;
    std::memcpy(&x, a.data() + at, 8);
    std::memcpy(&y, b.data() + at, 8);
    if (x != y) {
      return false;
    }
  }
  for (; at < a.size(); ++at) {
    if (a[at] != b[at]) {
      return false;
    }
  }
  return true;
}

// FNV-1a over a value's short text: the memo's slot (std::hash is a library call and much
// more than six bytes need).
[[gnu::always_inline]] inline std::size_t memo_hash(std::string_view text) {
  std::uint32_t hash = 2166136261U;
  for (const char c : text) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 16777619U;
  }
  return hash ^ (hash >> 16U);
}

std::string first_characters(std::string_view text) {
  constexpr std::size_t kMaximum = 60;
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (out.size() >= kMaximum && (byte & 0xC0U) != 0x80U) {
      out += "...";
      break;
    }
    out += c;
  }
  return out;
}

}  // namespace

struct NdjsonFactReader::State {
  State(std::span<const FactSpec> declared, bool simple_path)
      : facts(declared), simple_lines(simple_path) {
    for (std::size_t index = 0; index < declared.size(); ++index) {
      if (!declared[index].evaluation_date) {  // given by `--as-of`, never by a line
        by_name.emplace(declared[index].name, static_cast<std::uint32_t>(index));
      }
    }
    for (const FactSpec& fact : declared) {
      plain_boolean.push_back(fact.type.kind == TypeKind::boolean && !fact.minimum &&
                              !fact.maximum && fact.codes.empty());
      const bool memoizable = fact.type.kind == TypeKind::integer ||
                              fact.type.kind == TypeKind::decimal ||
                              fact.type.kind == TypeKind::quantity;
      memo_block.push_back(memoizable ? static_cast<std::uint32_t>(memo.size() / kMemoSlots)
                                      : kNone);
      if (memoizable) {
        memo.resize(memo.size() + kMemoSlots);
      }
    }
    seen_generation.assign(declared.size(), 0);
    seen_range.assign(declared.size(), SourceRange{});
  }

  // The fact a key names, or kNone. Lines of one file usually list their keys in the same
  // order, so the fact the same position named on the previous line is tried first.
  static constexpr std::uint32_t kNone = 0xFFFFFFFFU;
  std::uint32_t find(std::string_view name, std::size_t position) {
    if (position < predicted.size()) {
      const std::uint32_t guess = predicted[position];
      if (guess != kNone && same_text(facts[guess].name, name)) {
        return guess;
      }
    } else {
      predicted.resize(position + 1, kNone);
    }
    const auto found = by_name.find(name);
    const std::uint32_t id = found == by_name.end() ? kNone : found->second;
    predicted[position] = id;
    return id;
  }

  // Sets fact `id` from `scalar` (unless `store` is false: a repeated key is checked but
  // not stored), exactly as read_fact_value would; false after reporting a problem.
  bool apply(std::uint32_t id, const RawScalar& scalar, bool store, FactSet& values,
             Diagnostics& diagnostics);
  // The simple-line path; see read_simple_line.
  bool read_simple_line(std::string_view line, FactSet& values);
  bool read_general(std::string_view line, FactSet& values, Diagnostics& diagnostics);
  void next_generation() {
    if (++generation == 0) {
      std::fill(seen_generation.begin(), seen_generation.end(), 0);
      generation = 1;
    }
  }

  std::span<const FactSpec> facts;
  bool simple_lines = true;
  Diagnostics quiet;  // the simple-line path's diagnostics: any one sends the line on
  ondemand::parser parser;
  std::unordered_map<std::string_view, std::uint32_t> by_name;
  std::vector<std::uint32_t> predicted;
  std::vector<bool> plain_boolean;  // per fact: a boolean without limits
  // Values read before, kMemoSlots per fact (direct-mapped by the text's hash), for facts
  // whose values own no characters (numbers and quantities), and texts up to
  // kMemoTextBytes long (longer ones are read every time).
  static constexpr std::size_t kMemoTextBytes = 22;
  struct Memo {
    ScalarKind kind = ScalarKind::null;  // null: the slot is empty
    std::uint8_t length = 0;
    std::array<char, kMemoTextBytes> text{};
    Value value;

    [[nodiscard]] bool holds(const RawScalar& scalar) const {
      return kind == scalar.kind && same_text(std::string_view(text.data(), length), scalar.text);
    }
  };
  // 256 slots hold a field's few hundred distinct values (ages, scores) with few collisions.
  static constexpr std::size_t kMemoSlots = 256;
  std::vector<std::uint32_t> memo_block;  // per fact: its slots' block in `memo`, or kNone
  std::vector<Memo> memo;
  Value true_value = Value::boolean(true);
  Value false_value = Value::boolean(false);
  // Duplicate detection: a fact was given on this line when its generation is current.
  std::vector<std::uint32_t> seen_generation;
  std::vector<SourceRange> seen_range;
  std::uint32_t generation = 0;
};

NdjsonFactReader::NdjsonFactReader(std::span<const FactSpec> facts, bool simple_line_path)
    : state_(std::make_unique<State>(facts, simple_line_path)) {}
NdjsonFactReader::~NdjsonFactReader() = default;
NdjsonFactReader::NdjsonFactReader(NdjsonFactReader&&) noexcept = default;
NdjsonFactReader& NdjsonFactReader::operator=(NdjsonFactReader&&) noexcept = default;

bool NdjsonFactReader::read(std::string_view line, FactSet& facts, Diagnostics& diagnostics,
                            bool first_line) {
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  if (line.starts_with(kByteOrderMark)) {
    if (!first_line) {
      diagnostics.report(DiagnosticKind::invalid_fact_text, SourceRange{FileId{}, 0, 3},
                         "a byte order mark (U+FEFF) is allowed only at the start of the first "
                         "line; remove it");
      return false;
    }
    line.remove_prefix(kByteOrderMark.size());
  }
  State& state = *state_;
  if (state.simple_lines && state.read_simple_line(line, facts)) {
    return true;
  }
  DiagnosticCap cap(diagnostics);
  const bool accepted = state.read_general(line, facts, cap.scratch());
  cap.finish();
  return accepted;
}

bool NdjsonFactReader::State::apply(std::uint32_t id, const RawScalar& scalar, bool store,
                                    FactSet& values, Diagnostics& diagnostics) {
  if (scalar.kind == ScalarKind::boolean && plain_boolean[id]) {
    // A boolean for a boolean fact without limits: what read_fact_value would give, without
    // its general checks (the commonest fact on the fast path).
    if (store) {
      values.set(FactId{id}, scalar.text.front() == 't' ? true_value : false_value);
    }
    return true;
  }
  // Numbers and quantities repeat from line to line ("72 years", 5.5): a value read before
  // for the same fact from the same text is the same value (read_fact_value is a pure
  // function of them for these types), so it is taken from the memo.
  Memo* slot = nullptr;
  if (memo_block[id] != kNone && scalar.kind != ScalarKind::null &&
      scalar.text.size() <= kMemoTextBytes) {
    slot = &memo[memo_block[id] * kMemoSlots + (memo_hash(scalar.text) & (kMemoSlots - 1))];
    if (slot->holds(scalar)) {
      if (store) {
        values.set(FactId{id}, slot->value);
      }
      return true;
    }
  }
  const std::optional<Value> read = read_fact_value(facts[id], scalar, values, diagnostics);
  if (!read) {
    return false;
  }
  if (slot != nullptr) {
    slot->kind = scalar.kind;
    slot->length = static_cast<std::uint8_t>(scalar.text.size());
    std::copy(scalar.text.begin(), scalar.text.end(), slot->text.begin());
    slot->value = *read;
  }
  if (store) {
    values.set(FactId{id}, *read);
  }
  return true;
}

// The simple-line path. Nearly every line a program writes is one flat object of printable
// ASCII, keys without escapes naming distinct declared facts, and values that are `true`,
// `false`, `null`, a number or a string without escapes. Every byte is checked by the
// grammar below: spaces, punctuation, literals and digits by name, keys by equality with a
// declared fact's name, and string contents by range. Such a line is read here in one
// pass without simdjson; its members go through the same `apply` as the general path's,
// so the facts are the same. Anything else (another byte, shape or key, a value
// read_fact_value rejects or warns about) returns false with nothing reported, and the
// line goes to the general path, which accepts or rejects it with its diagnostics. The
// unit and fuzz tests compare both paths on every line they read.
bool NdjsonFactReader::State::read_simple_line(std::string_view line, FactSet& values) {
  values.clear();
  next_generation();
  const char* at = line.data();
  const char* const end = at + line.size();
  const auto skip_spaces = [&] {
    while (at < end && *at == ' ') {
      ++at;
    }
  };
  const auto literal = [&](std::string_view word) {
    if (static_cast<std::size_t>(end - at) < word.size() ||
        !same_text(word, std::string_view(at, word.size()))) {
      return false;
    }
    at += word.size();
    return true;
  };
  skip_spaces();
  if (at == end || *at != '{') {
    return false;
  }
  ++at;
  skip_spaces();
  if (at < end && *at == '}') {
    ++at;
    skip_spaces();
    return at == end;
  }
  for (std::size_t position = 0;; ++position) {
    if (at == end || *at != '"') {
      return false;
    }
    ++at;
    // The key: the fact the same position named on the previous line first.
    std::uint32_t id = kNone;
    if (position < predicted.size() && predicted[position] != kNone) {
      const std::string& name = facts[predicted[position]].name;
      if (static_cast<std::size_t>(end - at) > name.size() &&
          same_text(name, std::string_view(at, name.size())) && at[name.size()] == '"') {
        id = predicted[position];
        at += name.size();
      }
    }
    if (id == kNone) {
      const char* key = at;
      while (at < end && *at != '"' && *at != '\\') {
        ++at;
      }
      if (at == end || *at != '"') {
        return false;
      }
      const auto found = by_name.find(std::string_view(key, static_cast<std::size_t>(at - key)));
      if (found == by_name.end()) {
        return false;
      }
      id = found->second;
      if (position >= predicted.size()) {
        predicted.resize(position + 1, kNone);
      }
      predicted[position] = id;
    }
    ++at;  // the closing quote
    if (seen_generation[id] == generation) {
      return false;  // a repeated key: the general path reports it
    }
    seen_generation[id] = generation;
    skip_spaces();
    if (at == end || *at != ':') {
      return false;
    }
    ++at;
    skip_spaces();
    if (at == end) {
      return false;
    }
    const char* value_start = at;
    RawScalar scalar;
    if (literal(kTrue)) {
      scalar.kind = ScalarKind::boolean;
      scalar.text = kTrue;
    } else if (literal(kFalse)) {
      scalar.kind = ScalarKind::boolean;
      scalar.text = kFalse;
    } else if (literal(kNullText)) {
      scalar.kind = ScalarKind::null;
      scalar.text = kNullText;
    } else if (*at == '"') {
      ++at;
      const char* text = at;
      // Printable ASCII only: control characters, DEL and UTF-8 go the general way.
      while (at < end && *at != '"' && *at != '\\' && *at >= 0x20 && *at < 0x7F) {
        ++at;
      }
      if (at == end || *at != '"') {
        return false;
      }
      scalar.kind = ScalarKind::string;
      scalar.quoted = true;
      scalar.text = std::string_view(text, static_cast<std::size_t>(at - text));
      ++at;
    } else if (*at == '-' || (*at >= '0' && *at <= '9')) {
      while (at < end && ((*at >= '0' && *at <= '9') || *at == '.' || *at == 'e' || *at == 'E' ||
                          *at == '+' || *at == '-')) {
        ++at;
      }
      scalar.kind = ScalarKind::number;
      scalar.text = std::string_view(value_start, static_cast<std::size_t>(at - value_start));
      if (!is_json_number(scalar.text)) {
        return false;
      }
    } else {
      return false;
    }
    const auto offset = static_cast<std::uint32_t>(value_start - line.data());
    scalar.range = SourceRange{FileId{}, offset, static_cast<std::uint32_t>(at - value_start)};
    if (!apply(id, scalar, true, values, quiet) || !quiet.empty()) {
      quiet = Diagnostics();
      return false;
    }
    skip_spaces();
    if (at == end) {
      return false;
    }
    if (*at == '}') {
      ++at;
      skip_spaces();
      return at == end;
    }
    if (*at != ',') {
      return false;
    }
    ++at;
    skip_spaces();
  }
}

bool NdjsonFactReader::State::read_general(std::string_view line, FactSet& values,
                                           Diagnostics& diagnostics) {
  State& state = *this;
  const std::size_t errors_before = diagnostics.error_count();
  values.clear();
  const auto range = [&](const char* at, std::size_t length) {
    const auto offset = static_cast<std::size_t>(at - line.data());
    const std::size_t start = std::min(offset, line.size());
    return SourceRange{FileId{}, static_cast<std::uint32_t>(start),
                       static_cast<std::uint32_t>(std::min(length, line.size() - start))};
  };
  const auto syntax_error = [&](simdjson::error_code error, const char* at) {
    diagnostics.report(DiagnosticKind::invalid_fact_text, range(at, 1),
                       fmt::format("invalid JSON: {}", syntax_problem(error)));
    return false;
  };
  if (may_hold_control_character(line) &&
      !check_fact_characters(line, range(line.data(), 0), diagnostics)) {
    return false;
  }
  state.next_generation();

  ondemand::document document;
  const simdjson::padded_string_view padded(line.data(), line.size(), line.size() + kNdjsonPadding);
  if (const auto error = state.parser.iterate(padded).get(document)) {
    return syntax_error(error, line.data());
  }
  const char* start = line.data();
  while (start < line.data() + line.size() && is_json_space(*start)) {
    ++start;
  }
  ondemand::json_type type{};
  if (const auto error = document.type().get(type)) {
    return syntax_error(error, start);
  }
  if (type != ondemand::json_type::object) {
    if (type == ondemand::json_type::array) {
      report_not_a_mapping("a list", range(start, 1), diagnostics);
      return false;
    }
    std::string_view text;
    if (type == ondemand::json_type::string) {
      if (const auto error = document.get_string().get(text)) {
        return syntax_error(error, start);
      }
    } else {
      text = trim_right(
          std::string_view(start, static_cast<std::size_t>(line.data() + line.size() - start)));
    }
    report_not_a_mapping(
        in_backticks(first_characters(text)),
        range(start, trim_right(line.substr(static_cast<std::size_t>(start - line.data()))).size()),
        diagnostics);
    return false;
  }

  ondemand::object object;
  if (const auto error = document.get_object().get(object)) {
    return syntax_error(error, start);
  }
  std::size_t position = 0;
  for (auto member : object) {
    ondemand::field field;
    if (const auto error = std::move(member).get(field)) {
      const char* at = start;
      if (document.current_location().get(at) != simdjson::SUCCESS) {
        at = start;
      }
      return syntax_error(error, at);
    }
    // The key's range, quotes included: raw() is just past the opening quote. A key
    // without escapes is its own text (stage 1 has checked UTF-8 and the closing quote);
    // only keys with a backslash are unescaped.
    const char* key_start = field.key().raw() - 1;
    const char* line_end = line.data() + line.size();
    const char* key_end = key_start + 1;
    std::string_view name;
    // Keys are short: one inline pass finds the closing quote or a backslash.
    const char* quote = key_start + 1;
    while (quote < line_end && *quote != '"' && *quote != '\\') {
      ++quote;
    }
    if (quote < line_end && *quote == '"') {
      name = std::string_view(key_start + 1, static_cast<std::size_t>(quote - key_start - 1));
      key_end = quote;
    } else {
      if (const auto error = field.unescaped_key().get(name)) {
        return syntax_error(error, key_start);
      }
      while (key_end < line_end && *key_end != '"') {
        key_end += *key_end == '\\' ? 2 : 1;
      }
    }
    const SourceRange key_range =
        range(key_start, static_cast<std::size_t>(key_end + 1 - key_start));
    const std::uint32_t id = name.empty() ? State::kNone : state.find(name, position);
    ++position;
    bool duplicate = false;
    if (id == State::kNone) {
      report_unknown_fact(state.facts, name, key_range, diagnostics);
    } else if (state.seen_generation[id] == state.generation) {
      report_repeated_fact(name, key_range, state.seen_range[id], diagnostics);
      duplicate = true;
    } else {
      state.seen_generation[id] = state.generation;
      state.seen_range[id] = key_range;
    }

    ondemand::value value = field.value();
    ondemand::json_type value_type{};
    if (const auto error = value.type().get(value_type)) {
      return syntax_error(error, key_end);
    }
    std::string_view token = value.raw_json_token();
    token = trim_right(token);
    const char* value_start = token.data();
    RawScalar scalar;
    scalar.range = range(value_start, token.size());
    switch (value_type) {
      case ondemand::json_type::object:
      case ondemand::json_type::array:
        if (id != State::kNone) {
          report_container_value(state.facts[id],
                                 value_type == ondemand::json_type::object ? "a mapping" : "a list",
                                 range(value_start, 1), diagnostics);
        }
        continue;  // the iteration skips the container
      case ondemand::json_type::null: {
        bool is_null = false;
        if (value.is_null().get(is_null) || !is_null) {
          return syntax_error(simdjson::N_ATOM_ERROR, value_start);
        }
        scalar.kind = ScalarKind::null;
        scalar.text = kNullText;
        break;
      }
      case ondemand::json_type::boolean: {
        bool truth = false;
        if (const auto error = value.get_bool().get(truth)) {
          return syntax_error(error, value_start);
        }
        scalar.kind = ScalarKind::boolean;
        scalar.text = truth ? kTrue : kFalse;
        break;
      }
      case ondemand::json_type::number:
        if (!is_json_number(token)) {
          return syntax_error(simdjson::NUMBER_ERROR, value_start);
        }
        scalar.kind = ScalarKind::number;
        scalar.text = token;
        break;
      case ondemand::json_type::string:
        // As for keys: a string without escapes is its own text.
        if (token.size() >= 2 && token.back() == '"' &&
            token.substr(1, token.size() - 2).find('\\') == std::string_view::npos) {
          scalar.text = token.substr(1, token.size() - 2);
        } else if (const auto error = value.get_string().get(scalar.text)) {
          return syntax_error(error, value_start);
        }
        scalar.kind = ScalarKind::string;
        scalar.quoted = true;
        break;
    }
    if (id == State::kNone) {
      continue;
    }
    state.apply(id, scalar, !duplicate, values, diagnostics);
  }
  // Anything after the object is an error (current_location fails at the end).
  if (const char* at = nullptr; document.current_location().get(at) == simdjson::SUCCESS) {
    diagnostics.report(DiagnosticKind::invalid_fact_text, range(at, 1),
                       "invalid JSON: unexpected text after the object; write one object a line");
    return false;
  }
  return diagnostics.error_count() == errors_before;
}

}  // namespace rubric
