// The requests of the language server: what it answers about an open document.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>

#include "dsl/formatter.hpp"
#include "lsp/protocol.hpp"
#include "lsp/server.hpp"
#include "values/units.hpp"

namespace rubric::lsp {
namespace {

// Semantic token types and modifiers (the legend sent in `initialize`).
constexpr std::array<const char*, 14> kTokenTypes = {
    "keyword",   "type",       "variable", "parameter", "function", "class",    "enum",
    "namespace", "enumMember", "number",   "string",    "comment",  "operator", "property"};
enum TokenType : std::uint8_t {
  keyword_token,
  type_token,
  variable_token,
  parameter_token,
  function_token,
  class_token,
  enum_token,
  namespace_token,
  enum_member_token,
  number_token,
  string_token,
  comment_token,
  operator_token,
  property_token
};
constexpr std::array<const char*, 3> kTokenModifiers = {"declaration", "readonly",
                                                        "defaultLibrary"};
constexpr std::uint32_t kDeclarationModifier = 1;
constexpr std::uint32_t kReadonlyModifier = 2;
constexpr std::uint32_t kDefaultLibraryModifier = 4;

// The words of the language that are not reserved (bindings, clauses) but read as keywords.
constexpr std::array<std::string_view, 22> kContextWords = {
    "from",      "most",   "recent",   "coded",     "where",   "within", "value", "since",
    "otherwise", "exists", "presence", "count",     "hooks",   "at",     "least", "of",
    "score",     "units",  "convert",  "indicator", "summary", "Today"};
constexpr std::array<std::string_view, 13> kTypeWords = {
    "boolean", "integer",  "decimal", "string", "duration", "mass",    "length",
    "volume",  "quantity", "code",    "coding", "date",     "datetime"};
constexpr std::array<std::string_view, 4> kFunctions = {"Coalesce", "Date", "DateTime", "Today"};
constexpr std::array<std::string_view, 9> kDeclarationKeywords = {
    "guideline",      "source",   "fact",       "parameter", "define",
    "recommendation", "coverage", "codesystem", "valueset"};
constexpr std::array<std::string_view, 24> kExpressionKeywords = {
    "and",   "or",      "xor", "implies", "not",      "is",   "null",   "true",
    "false", "between", "in",  "if",      "then",     "else", "case",   "when",
    "end",   "div",     "mod", "score",   "at least", "of",   "exists", "otherwise"};
// Units offered after a number in quotes; each is checked with find_unit before it is
// offered, with the units the document already uses.
constexpr std::array<std::string_view, 24> kCommonUnits = {
    "mg",   "g",     "kg",   "ug",     "mg/d",   "mg/dL",   "mmol/L", "umol/L",
    "g/dL", "mL",    "L",    "mL/min", "mm[Hg]", "Cel",     "%",      "cm",
    "m",    "kg/m2", "/min", "[iU]",   "[iU]/d", "{score}", "h",      "min"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

bool is_kind(std::string_view word) {
  return std::any_of(std::begin(kRecommendationKinds), std::end(kRecommendationKinds),
                     [&](const char* kind) { return word == kind; });
}

bool identifier_byte(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// Prose from the rule file shown as Markdown: the characters that would change its formatting
// (emphasis, code, links, HTML, headings, lists, tables) escaped.
std::string prose(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (std::string_view("\\`*_[]<>#|~").find(c) != std::string_view::npos ||
        (i == 0 && std::string_view("-+=").find(c) != std::string_view::npos)) {
      out += '\\';
    }
    out += c;
  }
  return out;
}

std::string code_block(std::string_view code) {
  return fmt::format("```rubric\n{}\n```", code);
}

// The declaration of a fact up to its description: `fact pain_vas: decimal between 0 and 10`.
std::string fact_heading(const DocumentAnalysis& analysis, const ast::FactDeclaration& fact) {
  std::uint32_t end = fact.type.range.end();
  for (const ast::RangeLimit& limit : fact.limits) {
    end = std::max(end, analysis.module().at(limit.value).range.end());
  }
  if (end <= fact.range.offset) {
    return fmt::format("fact {}", fact.name.name);
  }
  return collapse_whitespace(analysis.sources.text(
      SourceRange{analysis.file, fact.range.offset, end - fact.range.offset}));
}

std::string quoted_list(const std::vector<ast::Named>& names) {
  std::vector<std::string> parts;
  parts.reserve(names.size());
  for (const ast::Named& name : names) {
    parts.push_back("`'" + name.name + "'`");
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string type_text(const std::vector<Type>& types, std::uint32_t index) {
  return index < types.size() && types[index].kind != TypeKind::error ? type_name(types[index])
                                                                      : std::string();
}

// What hover says about a symbol (Markdown).
std::string describe(const DocumentAnalysis& analysis, SymbolRef symbol) {
  const ast::Module& module = analysis.module();
  const CheckedModule& checked = *analysis.checked;
  std::vector<std::string> parts;
  switch (symbol.symbol_class) {
    case SymbolClass::fact: {
      const ast::FactDeclaration& fact = module.facts[symbol.index];
      parts.push_back(code_block(fact_heading(analysis, fact)));
      if (!fact.description.empty()) {
        parts.push_back(prose(fact.description));
      }
      if (!fact.units.empty()) {
        parts.push_back(fmt::format("Units: {}", quoted_list(fact.units)));
      }
      for (const ast::UnitConversion& conversion : fact.conversions) {
        parts.push_back(fmt::format("Converts: `{}`",
                                    collapse_whitespace(analysis.sources.text(conversion.range))));
      }
      if (fact.binding) {
        parts.push_back(
            fmt::format("Read from a FHIR record: `{}`",
                        collapse_whitespace(analysis.sources.text(fact.binding->range))));
      } else {
        parts.emplace_back("No FHIR binding: given in fact files only.");
      }
      break;
    }
    case SymbolClass::parameter: {
      const ast::ParameterDeclaration& parameter = module.parameters[symbol.index];
      parts.push_back(code_block(
          fmt::format("parameter {} = {}", parameter.name.name,
                      expression_text(analysis.sources, module.at(parameter.value).range))));
      if (symbol.index < checked.parameters.size() && !checked.parameters[symbol.index].is_null()) {
        const std::string type = type_text(checked.parameter_types, symbol.index);
        parts.push_back(fmt::format("Value: `{}`{}",
                                    fact_value_text(checked.parameters[symbol.index]),
                                    type.empty() ? "" : fmt::format(" ({})", type)));
      }
      if (!parameter.description.empty()) {
        parts.push_back(prose(parameter.description));
      }
      break;
    }
    case SymbolClass::definition: {
      const ast::Definition& definition = module.definitions[symbol.index];
      parts.push_back(code_block(
          fmt::format("define {} =\n  {}", definition.name.name,
                      expression_text(analysis.sources, module.at(definition.value).range))));
      const std::string type = type_text(checked.definition_types, symbol.index);
      if (!type.empty()) {
        parts.push_back(fmt::format("Type: {}", type));
      }
      if (!definition.description.empty()) {
        parts.push_back(prose(definition.description));
      }
      break;
    }
    case SymbolClass::recommendation: {
      const ast::RecommendationDeclaration& recommendation = module.recommendations[symbol.index];
      parts.push_back(fmt::format("**recommendation** `{}`: kind `{}`, indicator `{}`",
                                  recommendation.id.name, recommendation.kind.name,
                                  recommendation.indicator
                                      ? recommendation.indicator->name
                                      : std::string(default_indicator(recommendation.kind.name))));
      parts.push_back(prose(recommendation.text));
      if (recommendation.summary) {
        parts.push_back(fmt::format("Summary: {}", prose(*recommendation.summary)));
      }
      for (const ast::Citation& citation : recommendation.citations) {
        const auto source = std::find_if(
            module.sources.begin(), module.sources.end(),
            [&](const ast::SourceDeclaration& s) { return s.number == citation.number; });
        parts.push_back(source == module.sources.end()
                            ? fmt::format("\\[{}\\] (no such source)", citation.number)
                            : fmt::format("\\[{}\\] {}", citation.number, prose(source->citation)));
      }
      if (recommendation.evidence) {
        parts.push_back(fmt::format("Evidence: {}", prose(*recommendation.evidence)));
      }
      break;
    }
    case SymbolClass::source: {
      const ast::SourceDeclaration& source = module.sources[symbol.index];
      parts.push_back(fmt::format("**source {}**", source.number));
      parts.push_back(prose(source.citation));
      std::vector<std::string> citing;
      for (const ast::RecommendationDeclaration& recommendation : module.recommendations) {
        if (std::any_of(recommendation.citations.begin(), recommendation.citations.end(),
                        [&](const ast::Citation& c) { return c.number == source.number; })) {
          citing.push_back("`" + recommendation.id.name + "`");
        }
      }
      parts.push_back(citing.empty() ? std::string("Cited by no recommendation.")
                                     : fmt::format("Cited by {}", fmt::join(citing, ", ")));
      break;
    }
    case SymbolClass::code_system:
    case SymbolClass::value_set:
      parts.push_back(code_block(
          collapse_whitespace(analysis.sources.text(analysis.declaration_range(symbol)))));
      break;
  }
  return fmt::format("{}", fmt::join(parts, "\n\n"));
}

// One-line detail of a symbol for completion items and document symbols.
std::string detail_of(const DocumentAnalysis& analysis, SymbolRef symbol) {
  const ast::Module& module = analysis.module();
  const CheckedModule& checked = *analysis.checked;
  switch (symbol.symbol_class) {
    case SymbolClass::fact: {
      std::string heading = fact_heading(analysis, module.facts[symbol.index]);
      const std::size_t colon = heading.find(':');
      if (colon == std::string::npos) {
        return heading;
      }
      const std::size_t type = heading.find_first_not_of(' ', colon + 1);
      return type == std::string::npos ? std::string() : heading.substr(type);
    }
    case SymbolClass::parameter:
      return symbol.index < checked.parameters.size() && !checked.parameters[symbol.index].is_null()
                 ? fact_value_text(checked.parameters[symbol.index])
                 : std::string();
    case SymbolClass::definition: return type_text(checked.definition_types, symbol.index);
    case SymbolClass::recommendation: return module.recommendations[symbol.index].kind.name;
    case SymbolClass::source: {
      const std::string& citation = module.sources[symbol.index].citation;
      if (citation.size() <= 80) {
        return citation;
      }
      std::size_t cut = 77;
      while (cut > 0 && (static_cast<unsigned char>(citation[cut]) & 0xC0U) == 0x80U) {
        --cut;  // not inside a character
      }
      return citation.substr(0, cut) + "...";
    }
    case SymbolClass::code_system: return module.code_systems[symbol.index].uri.name;
    case SymbolClass::value_set: return module.value_sets[symbol.index].description;
  }
  return {};
}

// The text after applying non-overlapping byte edits.
struct ByteEdit {
  std::uint32_t offset = 0;
  std::uint32_t end = 0;
  std::string text;
};

std::string applied(std::string_view text, std::vector<ByteEdit> edits) {
  std::sort(edits.begin(), edits.end(),
            [](const ByteEdit& a, const ByteEdit& b) { return a.offset < b.offset; });
  std::string out;
  std::uint32_t at = 0;
  for (const ByteEdit& edit : edits) {
    out.append(text.substr(at, edit.offset - at));
    out.append(edit.text);
    at = edit.end;
  }
  out.append(text.substr(at));
  return out;
}

// The count of each diagnostic code.
std::map<std::string, std::size_t, std::less<>> code_counts(const Diagnostics& diagnostics) {
  std::map<std::string, std::size_t, std::less<>> counts;
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    ++counts[std::string(diagnostic.code)];
  }
  return counts;
}

// The start of the line holding `offset`, and the start of the line after the one holding
// `end` (line breaks: \n, \r\n, \r).
std::uint32_t line_start(std::string_view text, std::uint32_t offset) {
  while (offset > 0 && text[offset - 1] != '\n' && text[offset - 1] != '\r') {
    --offset;
  }
  return offset;
}
std::uint32_t next_line_start(std::string_view text, std::uint32_t end) {
  while (end < text.size() && text[end] != '\n' && text[end] != '\r') {
    ++end;
  }
  if (end < text.size() && text[end] == '\r') {
    ++end;
  }
  if (end < text.size() && text[end] == '\n') {
    ++end;
  }
  return end;
}

// The edit removing a declaration: its whole lines when it is alone on them (a comment after
// it on its last line goes with it), else only its own text and the blanks after it.
ByteEdit removal(std::string_view text, SourceRange declaration) {
  const std::uint32_t begin = line_start(text, declaration.offset);
  const bool alone_before = std::all_of(text.begin() + begin, text.begin() + declaration.offset,
                                        [](char c) { return c == ' ' || c == '\t'; });
  std::uint32_t rest = declaration.end();
  while (rest < text.size() && (text[rest] == ' ' || text[rest] == '\t')) {
    ++rest;
  }
  const bool alone_after = rest >= text.size() || text[rest] == '\n' || text[rest] == '\r' ||
                           text.substr(rest).starts_with("//");
  if (alone_before && alone_after) {
    return {begin, next_line_start(text, rest), std::string()};
  }
  return {declaration.offset, alone_after ? declaration.end() : rest, std::string()};
}

}  // namespace

Json Server::range_json(const TextDocument& text, std::uint32_t offset, std::uint32_t end) const {
  const Range range = text.range_of(offset, end, encoding_);
  return Json{{"start", {{"line", range.start.line}, {"character", range.start.character}}},
              {"end", {{"line", range.end.line}, {"character", range.end.character}}}};
}

Json Server::initialize(const Json& params) {
  // The position encoding: UTF-8 when the client offers it (offsets need no conversion),
  // else UTF-32, else the protocol's default UTF-16.
  encoding_ = PositionEncoding::utf16;
  const Json* capabilities = optional_member(params, "capabilities", "params");
  const Json* general = capabilities != nullptr
                            ? optional_member(*capabilities, "general", "params.capabilities")
                            : nullptr;
  const Json* encodings = general != nullptr ? optional_member(*general, "positionEncodings",
                                                               "params.capabilities.general")
                                             : nullptr;
  if (encodings != nullptr && encodings->is_array()) {
    const auto offered = [&](std::string_view name) {
      return std::any_of(encodings->begin(), encodings->end(), [&](const Json& e) {
        return e.is_string() && e.get<std::string>() == name;
      });
    };
    if (offered("utf-8")) {
      encoding_ = PositionEncoding::utf8;
    } else if (offered("utf-32")) {
      encoding_ = PositionEncoding::utf32;
    }
  }
  Json legend{{"tokenTypes", kTokenTypes}, {"tokenModifiers", kTokenModifiers}};
  Json capabilities_out{
      {"positionEncoding", encoding_name(encoding_)},
      {"textDocumentSync",
       {{"openClose", true}, {"change", 2}, {"save", {{"includeText", false}}}}},
      {"hoverProvider", true},
      {"definitionProvider", true},
      {"referencesProvider", true},
      {"documentHighlightProvider", true},
      {"renameProvider", {{"prepareProvider", true}}},
      {"completionProvider", {{"triggerCharacters", {"'"}}, {"resolveProvider", false}}},
      {"documentFormattingProvider", true},
      {"documentSymbolProvider", true},
      {"semanticTokensProvider", {{"legend", legend}, {"full", true}, {"range", false}}},
      {"codeActionProvider", {{"codeActionKinds", {"quickfix"}}}},
  };
  return Json{{"capabilities", capabilities_out},
              {"serverInfo", {{"name", "rubric"}, {"version", options_.version}}}};
}

Json Server::diagnostic_json(const std::string& uri, const OpenDocument& document,
                             const Diagnostic& diagnostic, const std::string& extra) const {
  const int severity = diagnostic.severity == Severity::error     ? 1
                       : diagnostic.severity == Severity::warning ? 2
                                                                  : 3;
  Json out{{"range", range_json(document.text, diagnostic.range.offset, diagnostic.range.end())},
           {"severity", severity},
           {"code", diagnostic.code},
           {"source", "rubric"},
           {"message", extra.empty() ? diagnostic.message : diagnostic.message + "\n" + extra}};
  if (!diagnostic.notes.empty()) {
    Json related = Json::array();
    for (const Diagnostic::Note& note : diagnostic.notes) {
      related.push_back(
          {{"location",
            {{"uri", uri},
             {"range", range_json(document.text, note.range.offset, note.range.end())}}},
           {"message", note.message}});
    }
    out["relatedInformation"] = std::move(related);
  }
  return out;
}

Json Server::diagnostics_json(const std::string& uri, const OpenDocument& document) const {
  Json out = Json::array();
  if (document.too_large) {
    out.push_back({{"range", range_json(document.text, 0, 0)},
                   {"severity", 1},
                   {"source", "rubric"},
                   {"message", fmt::format("the document is larger than {} bytes; the server "
                                           "stopped following it: close it and open it again",
                                           kMaxDocumentBytes)}});
    return out;
  }
  const DocumentAnalysis& analysis = *document.analysis;
  for (const Diagnostic& diagnostic : analysis.diagnostics.all()) {
    out.push_back(diagnostic_json(uri, document, diagnostic, ""));
  }
  if (document.findings_of != document.analysis) {
    return out;  // the findings are of another version
  }
  for (const AnalysisFinding& finding : document.findings) {
    out.push_back(diagnostic_json(
        uri, document, finding.diagnostic,
        finding.witness ? "witness: " + witness_text(*analysis.guideline, *finding.witness)
                        : std::string()));
  }
  return out;
}

Server::Located Server::locate(const Json& params) {
  OpenDocument& document = document_of(params);
  const DocumentAnalysis& analysis = fresh(document);
  return {document, analysis,
          analysis.occurrence_at(offset_in(document, member(params, "position", "params")))};
}

Json Server::hover(const Json& params) {
  const auto [document, analysis, occurrence] = locate(params);
  if (occurrence == nullptr) {
    return nullptr;
  }
  return Json{
      {"contents", {{"kind", "markdown"}, {"value", describe(analysis, occurrence->symbol)}}},
      {"range", range_json(document.text, occurrence->offset, occurrence->end)}};
}

Json Server::definition(const Json& params) {
  const auto [document, analysis, occurrence] = locate(params);
  if (occurrence == nullptr) {
    return nullptr;
  }
  const SourceRange name = analysis.declaration_name(occurrence->symbol);
  return Json{{"uri", document_uri(params)},
              {"range", range_json(document.text, name.offset, name.end())}};
}

Json Server::references(const Json& params) {
  const auto [document, analysis, occurrence] = locate(params);
  Json out = Json::array();
  if (occurrence == nullptr) {
    return out;
  }
  bool include_declaration = false;
  if (const Json* context = optional_member(params, "context", "params")) {
    if (const Json* include = optional_member(*context, "includeDeclaration", "params.context")) {
      include_declaration = include->is_boolean() && include->get<bool>();
    }
  }
  for (const Occurrence& found : analysis.occurrences_of(occurrence->symbol)) {
    if (found.declaration && !include_declaration) {
      continue;
    }
    out.push_back({{"uri", document_uri(params)},
                   {"range", range_json(document.text, found.offset, found.end)}});
  }
  return out;
}

Json Server::document_highlight(const Json& params) {
  const auto [document, analysis, occurrence] = locate(params);
  Json out = Json::array();
  if (occurrence == nullptr) {
    return out;
  }
  for (const Occurrence& found : analysis.occurrences_of(occurrence->symbol)) {
    out.push_back({{"range", range_json(document.text, found.offset, found.end)},
                   {"kind", found.declaration ? 3 : 2}});
  }
  return out;
}

namespace {

// The word (letters, digits, `_`) around `offset`.
std::string_view word_at(std::string_view text, std::uint32_t offset) {
  std::uint32_t begin = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text.size()));
  std::uint32_t end = begin;
  while (begin > 0 && identifier_byte(text[begin - 1])) {
    --begin;
  }
  while (end < text.size() && identifier_byte(text[end])) {
    ++end;
  }
  return text.substr(begin, end - begin);
}

// The renamable symbol under the cursor, or a ProtocolError saying why there is none.
const Occurrence& renamable_at(const DocumentAnalysis& analysis, std::uint32_t offset) {
  const Occurrence* occurrence = analysis.occurrence_at(offset);
  if (occurrence == nullptr) {
    const std::string_view word = word_at(analysis.text(), offset);
    if (is_reserved_word(word)) {
      throw ProtocolError(
          ErrorCode::request_failed,
          fmt::format("`{}` is a keyword; only declared names can be renamed", word));
    }
    throw ProtocolError(ErrorCode::request_failed,
                        word.empty() ? std::string("no declared name at this position")
                                     : fmt::format("`{}` is not a declared name", word));
  }
  if (occurrence->symbol.symbol_class == SymbolClass::source) {
    throw ProtocolError(ErrorCode::request_failed,
                        "a source is cited by its number; renumbering sources is not a rename");
  }
  return *occurrence;
}

}  // namespace

Json Server::prepare_rename(const Json& params) {
  OpenDocument& document = document_of(params);
  const DocumentAnalysis& analysis = fresh(document);
  const Occurrence& occurrence =
      renamable_at(analysis, offset_in(document, member(params, "position", "params")));
  return Json{{"range", range_json(document.text, occurrence.offset, occurrence.end)},
              {"placeholder", analysis.name_of(occurrence.symbol)}};
}

Json Server::rename(const Json& params) {
  OpenDocument& document = document_of(params);
  const DocumentAnalysis& analysis = fresh(document);
  const std::string& uri = document_uri(params);
  const std::string& new_name = string_member(params, "newName", "params");
  const Occurrence& occurrence =
      renamable_at(analysis, offset_in(document, member(params, "position", "params")));
  if (!analysis.syntax_ok) {
    throw ProtocolError(ErrorCode::request_failed,
                        "the file has syntax errors; fix them before renaming (a name in a "
                        "declaration the parser could not read would be missed)");
  }
  const SymbolRef symbol = occurrence.symbol;
  const std::string old_name = analysis.name_of(symbol);
  if (!is_identifier(new_name) || new_name.size() > kMaxIdentifierBytes) {
    throw ProtocolError(ErrorCode::request_failed,
                        fmt::format("{} is not a name: a name is a letter or `_`, then letters, "
                                    "digits or `_` (at most {} bytes)",
                                    in_backticks(new_name), kMaxIdentifierBytes));
  }
  if (is_reserved_word(new_name)) {
    throw ProtocolError(ErrorCode::request_failed,
                        fmt::format("`{}` is a keyword and cannot name a {}", new_name,
                                    symbol_class_name(symbol.symbol_class)));
  }
  if (new_name == old_name) {
    return Json{{"changes", {{uri, Json::array()}}}};
  }
  // A name of the same namespace: facts, parameters, definitions and value sets are all read
  // by name in expressions; recommendations and code systems have their own.
  const ast::Module& module = analysis.module();
  std::optional<SymbolRef> taken;
  switch (symbol.symbol_class) {
    case SymbolClass::recommendation:
      for (std::uint32_t i = 0; i < module.recommendations.size(); ++i) {
        if (module.recommendations[i].id.name == new_name) {
          taken = SymbolRef{SymbolClass::recommendation, i};
        }
      }
      break;
    case SymbolClass::code_system:
      for (std::uint32_t i = 0; i < module.code_systems.size(); ++i) {
        if (module.code_systems[i].name.name == new_name) {
          taken = SymbolRef{SymbolClass::code_system, i};
        }
      }
      break;
    default:
      taken = analysis.find_value_name(new_name);
      for (std::uint32_t i = 0; i < module.value_sets.size() && !taken; ++i) {
        if (module.value_sets[i].name.name == new_name) {
          taken = SymbolRef{SymbolClass::value_set, i};
        }
      }
      break;
  }
  if (taken) {
    const Position at =
        document.text.position_of(analysis.declaration_name(*taken).offset, encoding_);
    throw ProtocolError(ErrorCode::request_failed,
                        fmt::format("`{}` already names a {} (line {})", new_name,
                                    symbol_class_name(taken->symbol_class), at.line + 1));
  }
  std::vector<ByteEdit> edits;
  Json text_edits = Json::array();
  for (const Occurrence& found : analysis.occurrences_of(symbol)) {
    edits.push_back({found.offset, found.end, new_name});
    text_edits.push_back(
        {{"range", range_json(document.text, found.offset, found.end)}, {"newText", new_name}});
  }
  // The renamed file must say what the file said: the same diagnostics, by code.
  const auto renamed = analyse_document("document", applied(analysis.text(), edits));
  if (code_counts(renamed->diagnostics) != code_counts(analysis.diagnostics)) {
    std::string problem;
    for (const Diagnostic& diagnostic : renamed->diagnostics.all()) {
      if (diagnostic.severity == Severity::error) {
        problem = fmt::format(": {}", diagnostic.message);
        break;
      }
    }
    throw ProtocolError(ErrorCode::request_failed,
                        fmt::format("renaming `{}` to `{}` would change the file's diagnostics{}",
                                    old_name, new_name, problem));
  }
  return Json{{"changes", {{uri, std::move(text_edits)}}}};
}

Json Server::formatting(const Json& params) {
  OpenDocument& document = document_of(params);
  const DocumentAnalysis& analysis = fresh(document);
  Json out = Json::array();
  if (!analysis.syntax_ok) {
    return out;  // no edits for a file with syntax errors
  }
  Diagnostics diagnostics;
  const std::optional<std::string> formatted =
      format_source(analysis.sources, analysis.file, diagnostics);
  const std::string_view text = analysis.text();
  if (!formatted || *formatted == text) {
    return out;
  }
  // One edit: the changed middle, between the longest common prefix and suffix, each cut at
  // a character boundary.
  std::size_t prefix = 0;
  while (prefix < text.size() && prefix < formatted->size() &&
         text[prefix] == (*formatted)[prefix]) {
    ++prefix;
  }
  while (prefix > 0 && prefix < text.size() &&
         (static_cast<unsigned char>(text[prefix]) & 0xC0U) == 0x80U) {
    --prefix;
  }
  std::size_t suffix = 0;
  while (suffix < text.size() - prefix && suffix < formatted->size() - prefix &&
         text[text.size() - 1 - suffix] == (*formatted)[formatted->size() - 1 - suffix]) {
    ++suffix;
  }
  while (suffix > 0 && (static_cast<unsigned char>(text[text.size() - suffix]) & 0xC0U) == 0x80U) {
    --suffix;
  }
  out.push_back({{"range", range_json(document.text, static_cast<std::uint32_t>(prefix),
                                      static_cast<std::uint32_t>(text.size() - suffix))},
                 {"newText", formatted->substr(prefix, formatted->size() - prefix - suffix)}});
  return out;
}

Json Server::document_symbol(const Json& params) {
  OpenDocument& document = document_of(params);
  const DocumentAnalysis& analysis = fresh(document);
  const ast::Module& module = analysis.module();
  Json out = Json::array();
  const auto add = [&](std::string name, int kind, std::string detail, SourceRange range,
                       SourceRange selection) {
    if (name.empty()) {
      return;
    }
    if (selection.offset < range.offset || selection.end() > range.end()) {
      selection = range;
    }
    out.push_back(
        {{"name", std::move(name)},
         {"kind", kind},
         {"detail", std::move(detail)},
         {"range", range_json(document.text, range.offset, range.end())},
         {"selectionRange", range_json(document.text, selection.offset, selection.end())}});
  };
  for (const ast::DeclarationRef& declaration : module.order) {
    const std::uint32_t i = declaration.index;
    switch (declaration.kind) {
      case ast::DeclarationKind::guideline: {
        const ast::GuidelineHeader& header = module.headers[i];
        add(header.id.name.empty() ? std::string("guideline") : header.id.name, 2, header.title,
            header.range, header.id.range);
        break;
      }
      case ast::DeclarationKind::coverage:
        add("coverage", 17, module.coverage[i].description, module.coverage[i].range,
            module.coverage[i].keyword_range);
        break;
      default: {
        // The named declarations, with the protocol's SymbolKind of each.
        static const std::map<ast::DeclarationKind, std::pair<SymbolClass, int>> kinds = {
            {ast::DeclarationKind::source, {SymbolClass::source, 16}},
            {ast::DeclarationKind::fact, {SymbolClass::fact, 13}},
            {ast::DeclarationKind::parameter, {SymbolClass::parameter, 14}},
            {ast::DeclarationKind::definition, {SymbolClass::definition, 12}},
            {ast::DeclarationKind::recommendation, {SymbolClass::recommendation, 24}},
            {ast::DeclarationKind::code_system, {SymbolClass::code_system, 3}},
            {ast::DeclarationKind::value_set, {SymbolClass::value_set, 10}}};
        const auto [symbol_class, kind] = kinds.at(declaration.kind);
        const SymbolRef symbol{symbol_class, i};
        add(symbol_class == SymbolClass::source ? "source " + analysis.name_of(symbol)
                                                : analysis.name_of(symbol),
            kind, detail_of(analysis, symbol), analysis.declaration_range(symbol),
            analysis.declaration_name(symbol));
        break;
      }
    }
  }
  return out;
}

Json Server::semantic_tokens(const Json& params) {
  OpenDocument& document = document_of(params);
  const DocumentAnalysis& analysis = fresh(document);
  const std::string_view text = analysis.text();
  struct Classified {
    std::uint32_t offset;
    std::uint32_t end;
    std::uint32_t type;
    std::uint32_t modifiers;
  };
  std::vector<Classified> classified;
  const auto& tokens = analysis.tokens.tokens;
  for (std::size_t k = 0; k < tokens.size(); ++k) {
    const SourceToken& token = tokens[k];
    if (token.end <= token.offset || token.end > text.size()) {
      continue;
    }
    const std::string_view spelling = text.substr(token.offset, token.end - token.offset);
    const char first = spelling.front();
    const std::string_view previous =
        k > 0 && tokens[k - 1].end <= text.size()
            ? text.substr(tokens[k - 1].offset, tokens[k - 1].end - tokens[k - 1].offset)
            : std::string_view();
    std::optional<std::uint32_t> type;
    std::uint32_t modifiers = 0;
    if (first == '\'' || first == '"') {
      type = string_token;
    } else if (std::isdigit(static_cast<unsigned char>(first)) != 0 || first == '@') {
      type = number_token;
      if (const Occurrence* occurrence = analysis.occurrence_at(token.offset);
          occurrence != nullptr && occurrence->offset == token.offset && occurrence->declaration) {
        modifiers = kDeclarationModifier;
      }
    } else if (std::isalpha(static_cast<unsigned char>(first)) != 0 || first == '_') {
      const Occurrence* occurrence = analysis.occurrence_at(token.offset);
      if (occurrence != nullptr && occurrence->offset == token.offset) {
        modifiers = occurrence->declaration ? kDeclarationModifier : 0;
        switch (occurrence->symbol.symbol_class) {
          case SymbolClass::fact: type = variable_token; break;
          case SymbolClass::parameter:
            type = parameter_token;
            modifiers |= kReadonlyModifier;
            break;
          case SymbolClass::definition: type = function_token; break;
          case SymbolClass::recommendation: type = class_token; break;
          case SymbolClass::source: type = number_token; break;
          case SymbolClass::code_system: type = namespace_token; break;
          case SymbolClass::value_set: type = enum_token; break;
        }
      } else if (is_reserved_word(spelling) || contains(kContextWords, spelling)) {
        type = contains(kFunctions, spelling) ? function_token : keyword_token;
        modifiers = type == function_token ? kDefaultLibraryModifier : 0;
      } else if (contains(kTypeWords, spelling) && previous == ":") {
        type = type_token;
      } else if ((previous == "kind" && is_kind(spelling)) || previous == "indicator") {
        type = enum_member_token;
      } else if (contains(kFunctions, spelling)) {
        type = function_token;
        modifiers = kDefaultLibraryModifier;
      } else {
        type = property_token;  // a FHIR resource, element or code of a binding
      }
    } else if (std::string_view("+-*/=!~<>").find(first) != std::string_view::npos) {
      type = operator_token;
    }
    if (type) {
      classified.push_back({token.offset, token.end, *type, modifiers});
    }
  }
  for (const SourceComment& comment : analysis.tokens.comments) {
    if (comment.end > comment.offset && comment.end <= text.size()) {
      classified.push_back({comment.offset, comment.end, comment_token, 0});
    }
  }
  std::sort(classified.begin(), classified.end(),
            [](const Classified& a, const Classified& b) { return a.offset < b.offset; });
  std::vector<std::uint32_t> data;
  data.reserve(classified.size() * 5);
  Position last{0, 0};
  std::uint32_t last_end = 0;
  for (const Classified& token : classified) {
    if (token.offset < last_end) {
      continue;  // overlapping tokens (a file with syntax errors): keep the first
    }
    last_end = token.end;
    // A token spanning lines (a block comment) is sent one line at a time.
    std::uint32_t from = token.offset;
    while (from < token.end) {
      std::uint32_t to = from;
      while (to < token.end && text[to] != '\n' && text[to] != '\r') {
        ++to;
      }
      if (to > from) {
        const Position start = document.text.position_of(from, encoding_);
        const Position finish = document.text.position_of(to, encoding_);
        data.push_back(start.line - last.line);
        data.push_back(start.line == last.line ? start.character - last.character
                                               : start.character);
        data.push_back(finish.character - start.character);
        data.push_back(token.type);
        data.push_back(token.modifiers);
        last = start;
      }
      if (to >= token.end) {
        break;
      }
      // The line break inside the token (`\r\n` is one).
      from = to + (text[to] == '\r' && to + 1 < token.end && text[to + 1] == '\n' ? 2 : 1);
    }
  }
  return Json{{"data", std::move(data)}};
}

Json Server::completion(const Json& params) {
  OpenDocument& document = document_of(params);
  const DocumentAnalysis& analysis = fresh(document);
  const std::uint32_t offset = offset_in(document, member(params, "position", "params"));
  const std::string_view text = analysis.text();
  Json items = Json::array();
  const auto item = [&](std::string_view label, int kind, std::string_view detail,
                        std::string_view documentation = {}) {
    Json entry{{"label", label}, {"kind", kind}};
    if (!detail.empty()) {
      entry["detail"] = detail;
    }
    if (!documentation.empty()) {
      entry["documentation"] = documentation;
    }
    items.push_back(std::move(entry));
  };
  const auto result = [&] { return Json{{"isIncomplete", false}, {"items", std::move(items)}}; };

  // Inside a block comment?
  for (const SourceComment& comment : analysis.tokens.comments) {
    if (!comment.line_comment && comment.offset < offset && offset < comment.end) {
      return result();
    }
  }
  // The line up to the cursor: inside a line comment, a 'string' or a "text"?
  const std::uint32_t begin_of_line = line_start(text, offset);
  char quote = 0;
  std::uint32_t quote_at = 0;
  for (std::uint32_t at = begin_of_line; at < offset; ++at) {
    const char c = text[at];
    if (quote != 0) {
      if (c == '\\') {
        ++at;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      quote_at = at;
    } else if (c == '/' && at + 1 < offset && text[at + 1] == '/') {
      return result();
    }
  }
  if (quote == '"') {
    return result();
  }
  if (quote == '\'') {
    // After a number: units; elsewhere: the codes of code facts.
    std::uint32_t before = quote_at;
    while (before > begin_of_line && (text[before - 1] == ' ' || text[before - 1] == '\t')) {
      --before;
    }
    const bool after_number =
        before > begin_of_line && std::isdigit(static_cast<unsigned char>(text[before - 1])) != 0;
    std::set<std::string> offered;
    if (after_number) {
      for (const std::string_view unit : kCommonUnits) {
        if (find_unit(unit) != nullptr) {
          offered.emplace(unit);
        }
      }
      for (const ast::Expr& expr : analysis.module().expressions) {
        if (expr.kind == ast::ExprKind::quantity_literal && find_unit(expr.unit) != nullptr) {
          offered.insert(expr.unit);
        }
      }
      for (const std::string& unit : offered) {
        item(unit, 11, "unit");
      }
    } else {
      for (const ast::FactDeclaration& fact : analysis.module().facts) {
        for (const std::string& code : fact.type.codes) {
          if (offered.insert(code).second) {
            item(code, 20, fmt::format("a code of `{}`", fact.name.name));
          }
        }
      }
    }
    return result();
  }
  // The word being typed and the token before it.
  std::uint32_t word_begin = offset;
  while (word_begin > begin_of_line && identifier_byte(text[word_begin - 1])) {
    --word_begin;
  }
  std::uint32_t before = word_begin;
  while (before > begin_of_line && (text[before - 1] == ' ' || text[before - 1] == '\t')) {
    --before;
  }
  std::uint32_t previous_begin = before;
  while (previous_begin > begin_of_line && identifier_byte(text[previous_begin - 1])) {
    --previous_begin;
  }
  const std::string_view previous_word = text.substr(previous_begin, before - previous_begin);
  const char previous_char = before > begin_of_line ? text[before - 1] : '\0';
  const ast::Module& module = analysis.module();
  // The line's first word: the declaration or clause the cursor is in.
  std::uint32_t first_word = begin_of_line;
  while (first_word < offset && (text[first_word] == ' ' || text[first_word] == '\t')) {
    ++first_word;
  }
  std::uint32_t first_word_end = first_word;
  while (first_word_end < offset && identifier_byte(text[first_word_end])) {
    ++first_word_end;
  }
  const std::string_view clause = text.substr(first_word, first_word_end - first_word);

  if (previous_word == "kind") {
    for (const char* kind : kRecommendationKinds) {
      item(kind, 20, "recommendation kind");
    }
    return result();
  }
  if (previous_word == "indicator") {
    for (const char* indicator : kCardIndicators) {
      item(indicator, 20, "card indicator");
    }
    return result();
  }
  if (previous_char == ':' && clause == "fact") {
    for (const std::string_view type : kTypeWords) {
      item(type, 25, "type");
    }
    return result();
  }
  if (previous_word == "excludes" || (previous_char == ',' && clause == "excludes")) {
    for (std::uint32_t i = 0; i < module.recommendations.size(); ++i) {
      item(module.recommendations[i].id.name, 5,
           detail_of(analysis, {SymbolClass::recommendation, i}), module.recommendations[i].text);
    }
    return result();
  }
  if (previous_word == "cite" || (previous_char == ',' && clause == "cite")) {
    for (std::uint32_t i = 0; i < module.sources.size(); ++i) {
      item(std::to_string(module.sources[i].number), 12,
           detail_of(analysis, {SymbolClass::source, i}), module.sources[i].citation);
    }
    return result();
  }
  if (before == begin_of_line && word_begin == begin_of_line) {
    // The start of a line without indentation: a new declaration.
    for (const std::string_view keyword : kDeclarationKeywords) {
      item(keyword, 14, "declaration");
    }
    return result();
  }
  // An expression (or a clause naming facts, parameters and definitions).
  for (std::uint32_t i = 0; i < module.facts.size(); ++i) {
    item(module.facts[i].name.name, 6,
         fmt::format("fact: {}", detail_of(analysis, {SymbolClass::fact, i})),
         module.facts[i].description);
  }
  for (std::uint32_t i = 0; i < module.parameters.size(); ++i) {
    const std::string value = detail_of(analysis, {SymbolClass::parameter, i});
    item(module.parameters[i].name.name, 21,
         value.empty() ? std::string("parameter") : fmt::format("parameter = {}", value),
         module.parameters[i].description);
  }
  for (std::uint32_t i = 0; i < module.definitions.size(); ++i) {
    const std::string type = detail_of(analysis, {SymbolClass::definition, i});
    item(module.definitions[i].name.name, 3,
         type.empty() ? std::string("definition") : fmt::format("definition: {}", type),
         module.definitions[i].description);
  }
  for (std::uint32_t i = 0; i < module.value_sets.size(); ++i) {
    item(module.value_sets[i].name.name, 13, "value set", module.value_sets[i].description);
  }
  for (std::uint32_t i = 0; i < module.code_systems.size(); ++i) {
    item(module.code_systems[i].name.name, 9,
         fmt::format("code system {}", module.code_systems[i].uri.name));
  }
  for (const std::string_view function : kFunctions) {
    item(function, 3, "function");
  }
  for (const std::string_view keyword : kExpressionKeywords) {
    item(keyword, 14, "keyword");
  }
  for (const std::string_view word : {"days", "weeks", "months", "years", "hours", "minutes"}) {
    item(word, 11, "calendar unit");
  }
  return result();
}

Json Server::code_action(const Json& params) {
  OpenDocument& document = document_of(params);
  const DocumentAnalysis& analysis = fresh(document);
  const std::string& uri = document_uri(params);
  const Json& range = member(params, "range", "params");
  const std::uint32_t from = offset_in(document, member(range, "start", "params.range"));
  const std::uint32_t to = offset_in(document, member(range, "end", "params.range"));
  const std::string_view text = analysis.text();
  const ast::Module& module = analysis.module();
  const auto before = code_counts(analysis.diagnostics);
  const std::size_t errors_before = analysis.diagnostics.error_count();
  Json actions = Json::array();
  if (const Json* context = optional_member(params, "context", "params")) {
    if (const Json* only = optional_member(*context, "only", "params.context");
        only != nullptr && only->is_array() &&
        std::none_of(only->begin(), only->end(), [](const Json& kind) {
          // A kind asked for covers its sub-kinds: `quickfix` is under "" and "quickfix".
          return kind.is_string() &&
                 std::string_view("quickfix").starts_with(kind.get<std::string>()) &&
                 (kind.get<std::string>().empty() || kind.get<std::string>() == "quickfix");
        })) {
      return actions;
    }
  }
  std::size_t verified = 0;
  constexpr std::size_t kMaxVerified = 16;

  for (const Diagnostic& diagnostic : analysis.diagnostics.all()) {
    if (diagnostic.range.end() < from || diagnostic.range.offset > to) {
      continue;
    }
    if (verified >= kMaxVerified) {
      break;
    }
    std::string title;
    std::vector<ByteEdit> edits;
    bool preferred = false;
    const std::string& message = diagnostic.message;
    const std::size_t hint = message.rfind("did you mean `");
    if (hint != std::string::npos && message.ends_with("`?")) {
      const std::string suggestion = message.substr(hint + 14, message.size() - 2 - (hint + 14));
      title = fmt::format("Replace with `{}`", suggestion);
      // A unit's range may hold its number too (`3 'kgg'`): the quoted part is replaced.
      std::uint32_t start = diagnostic.range.offset;
      const std::string_view written = analysis.sources.text(diagnostic.range);
      if (suggestion.starts_with('\'') && !written.starts_with('\'') &&
          written.find('\'') != std::string_view::npos) {
        start += static_cast<std::uint32_t>(written.find('\''));
      }
      edits.push_back({start, diagnostic.range.end(), suggestion});
      preferred = true;
    } else if (diagnostic.kind == DiagnosticKind::bad_citation) {
      std::string number;
      for (const char c : analysis.sources.text(diagnostic.range)) {
        if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
          number += c;
        }
      }
      const bool declared = std::any_of(module.sources.begin(), module.sources.end(),
                                        [&](const ast::SourceDeclaration& source) {
                                          return std::to_string(source.number) == number;
                                        });
      if (number.empty() || declared) {
        continue;  // not a missing source (a source cited twice, say)
      }
      // After the last source, else after the guideline header, else at the top.
      std::uint32_t at = 0;
      if (!module.sources.empty()) {
        at = next_line_start(text, module.sources.back().range.end());
      } else if (!module.headers.empty()) {
        at = next_line_start(text, module.headers.front().range.end());
      }
      title = fmt::format("Add `source {}` (then write its citation)", number);
      edits.push_back(
          {at, at,
           fmt::format("source {} \"citation of source {} to be written\"\n", number, number)});
    } else if (diagnostic.kind == DiagnosticKind::unused_fact ||
               diagnostic.kind == DiagnosticKind::unused_parameter ||
               diagnostic.kind == DiagnosticKind::unused_definition ||
               diagnostic.kind == DiagnosticKind::uncited_source ||
               diagnostic.kind == DiagnosticKind::unused_value_set ||
               diagnostic.kind == DiagnosticKind::unused_code_system) {
      const Occurrence* occurrence = analysis.occurrence_at(diagnostic.range.offset);
      if (occurrence == nullptr || !occurrence->declaration || errors_before > 0) {
        continue;  // with errors, a declaration may be unused only because of a misspelling
      }
      const SourceRange declaration = analysis.declaration_range(occurrence->symbol);
      title = fmt::format("Remove the unused {} `{}`",
                          symbol_class_name(occurrence->symbol.symbol_class),
                          analysis.name_of(occurrence->symbol));
      edits.push_back(removal(text, declaration));
    } else {
      continue;
    }
    // Checked before offered: the diagnostic's code is reported fewer times, and no new error.
    ++verified;
    const auto fixed = analyse_document("document", applied(text, edits));
    const auto after = code_counts(fixed->diagnostics);
    const auto count = [](const auto& counts, std::string_view code) {
      const auto found = counts.find(code);
      return found == counts.end() ? std::size_t{0} : found->second;
    };
    if (count(after, diagnostic.code) >= count(before, diagnostic.code) ||
        fixed->diagnostics.error_count() >
            errors_before - (diagnostic.severity == Severity::error ? 1 : 0)) {
      continue;
    }
    Json text_edits = Json::array();
    for (const ByteEdit& edit : edits) {
      text_edits.push_back(
          {{"range", range_json(document.text, edit.offset, edit.end)}, {"newText", edit.text}});
    }
    Json action{{"title", title},
                {"kind", "quickfix"},
                {"diagnostics", Json::array({diagnostic_json(uri, document, diagnostic, "")})},
                {"edit", {{"changes", {{uri, std::move(text_edits)}}}}}};
    if (preferred) {
      action["isPreferred"] = true;
    }
    actions.push_back(std::move(action));
  }
  return actions;
}

}  // namespace rubric::lsp
