#include "tools/ndjson_facts.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <cstring>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "tools/fact_file.hpp"

namespace rubric {
namespace {

namespace ondemand = simdjson::ondemand;

static_assert(kNdjsonPadding >= simdjson::SIMDJSON_PADDING);

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
bool same_text(std::string_view a, std::string_view b) {
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
  explicit State(std::span<const FactSpec> declared) : facts(declared) {
    for (std::size_t index = 0; index < declared.size(); ++index) {
      by_name.emplace(declared[index].name, static_cast<std::uint32_t>(index));
    }
    for (const FactSpec& fact : declared) {
      plain_boolean.push_back(fact.type.kind == TypeKind::boolean && !fact.minimum &&
                              !fact.maximum && fact.codes.empty());
      memoizable.push_back(fact.type.kind == TypeKind::integer ||
                           fact.type.kind == TypeKind::decimal ||
                           fact.type.kind == TypeKind::quantity);
    }
    memo.resize(declared.size() * kMemoSlots);
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

  std::span<const FactSpec> facts;
  ondemand::parser parser;
  std::unordered_map<std::string_view, std::uint32_t> by_name;
  std::vector<std::uint32_t> predicted;
  std::vector<bool> plain_boolean;  // per fact: a boolean without limits
  // Values read before, kMemoSlots per fact (direct-mapped by the text's hash), for facts
  // whose values own no characters (numbers and quantities).
  struct Memo {
    bool filled = false;
    ScalarKind kind = ScalarKind::null;
    std::string text;
    Value value;
  };
  static constexpr std::size_t kMemoSlots = 64;
  std::vector<bool> memoizable;
  std::vector<Memo> memo;
  Value true_value = Value::boolean(true);
  Value false_value = Value::boolean(false);
  // Duplicate detection: a fact was given on this line when its generation is current.
  std::vector<std::uint32_t> seen_generation;
  std::vector<SourceRange> seen_range;
  std::uint32_t generation = 0;
};

NdjsonFactReader::NdjsonFactReader(std::span<const FactSpec> facts)
    : state_(std::make_unique<State>(facts)) {}
NdjsonFactReader::~NdjsonFactReader() = default;
NdjsonFactReader::NdjsonFactReader(NdjsonFactReader&&) noexcept = default;
NdjsonFactReader& NdjsonFactReader::operator=(NdjsonFactReader&&) noexcept = default;

bool NdjsonFactReader::read(std::string_view line, FactSet& facts, Diagnostics& diagnostics) {
  State& state = *state_;
  const std::size_t errors_before = diagnostics.error_count();
  facts.clear();
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  const auto range = [&](const char* at, std::size_t length) {
    const auto offset = static_cast<std::size_t>(at - line.data());
    const std::size_t start = std::min(offset, line.size());
    return SourceRange{FileId{}, static_cast<std::uint32_t>(start),
                       static_cast<std::uint32_t>(std::min(length, line.size() - start))};
  };
  const auto syntax_error = [&](simdjson::error_code error, const char* at) {
    diagnostics.error("E0401", range(at, 1),
                      fmt::format("invalid JSON: {}", syntax_problem(error)));
    return false;
  };
  if (may_hold_control_character(line) &&
      !check_fact_characters(line, range(line.data(), 0), diagnostics)) {
    return false;
  }
  if (++state.generation == 0) {
    std::fill(state.seen_generation.begin(), state.seen_generation.end(), 0);
    state.generation = 1;
  }

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
        scalar.text = "null";
        break;
      }
      case ondemand::json_type::boolean: {
        bool truth = false;
        if (const auto error = value.get_bool().get(truth)) {
          return syntax_error(error, value_start);
        }
        scalar.kind = ScalarKind::boolean;
        scalar.text = truth ? "true" : "false";
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
    if (scalar.kind == ScalarKind::boolean && state.plain_boolean[id]) {
      // A boolean for a boolean fact without limits: what read_fact_value would give, without
      // its general checks (the commonest fact on the fast path).
      if (!duplicate) {
        facts.set(FactId{id}, scalar.text.front() == 't' ? state.true_value : state.false_value);
      }
      continue;
    }
    // Numbers and quantities repeat from line to line ("72 years", 5.5): a value read before
    // for the same fact from the same text is the same value (read_fact_value is a pure
    // function of them for these types), so it is taken from the memo.
    State::Memo* memo = nullptr;
    if (state.memoizable[id] && scalar.kind != ScalarKind::null) {
      memo = &state.memo[id * State::kMemoSlots +
                         (std::hash<std::string_view>{}(scalar.text) & (State::kMemoSlots - 1))];
      if (memo->filled && memo->kind == scalar.kind && same_text(memo->text, scalar.text)) {
        if (!duplicate) {
          facts.set(FactId{id}, memo->value);
        }
        continue;
      }
    }
    const std::optional<Value> read = read_fact_value(state.facts[id], scalar, facts, diagnostics);
    if (read && memo != nullptr) {
      memo->filled = true;
      memo->kind = scalar.kind;
      memo->text.assign(scalar.text);
      memo->value = *read;
    }
    if (read && !duplicate) {
      facts.set(FactId{id}, *read);
    }
  }
  // Anything after the object is an error (current_location fails at the end).
  if (const char* at = nullptr; document.current_location().get(at) == simdjson::SUCCESS) {
    diagnostics.error("E0401", range(at, 1),
                      "invalid JSON: unexpected text after the object; write one object a line");
    return false;
  }
  return diagnostics.error_count() == errors_before;
}

}  // namespace rubric
