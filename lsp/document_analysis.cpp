#include "lsp/document_analysis.hpp"

#include <algorithm>
#include <array>
#include <map>

namespace rubric::lsp {
namespace {

// The grammar's reserved words (grammar/rubric_grammar.hpp: reserved_word).
constexpr std::array<std::string_view, 53> kReservedWords = {
    "and",       "or",           "xor",
    "not",       "implies",      "is",
    "null",      "true",         "false",
    "between",   "in",           "if",
    "then",      "else",         "case",
    "when",      "end",          "div",
    "mod",       "guideline",    "title",
    "version",   "source",       "fact",
    "parameter", "define",       "recommendation",
    "kind",      "text",         "cite",
    "evidence",  "carry",        "report",
    "excludes",  "coverage",     "codesystem",
    "valueset",  "milliseconds", "millisecond",
    "seconds",   "second",       "minutes",
    "minute",    "hours",        "hour",
    "days",      "day",          "weeks",
    "week",      "months",       "month",
    "years",     "year"};

// Collects the occurrences of a module's names.
class OccurrenceCollector {
 public:
  explicit OccurrenceCollector(const DocumentAnalysis& analysis)
      : analysis_(analysis), module_(analysis.module()) {
    for (std::uint32_t i = 0; i < module_.recommendations.size(); ++i) {
      recommendations_.emplace(module_.recommendations[i].id.name, i);
    }
    for (std::uint32_t i = 0; i < module_.code_systems.size(); ++i) {
      code_systems_.emplace(module_.code_systems[i].name.name, i);
    }
    for (std::uint32_t i = 0; i < module_.value_sets.size(); ++i) {
      value_sets_.emplace(module_.value_sets[i].name.name, i);
    }
    for (std::uint32_t i = 0; i < module_.sources.size(); ++i) {
      sources_.emplace(module_.sources[i].number, i);
    }
  }

  std::vector<Occurrence> collect() {
    declarations();
    expressions();
    clauses();
    std::sort(found_.begin(), found_.end(), [](const Occurrence& a, const Occurrence& b) {
      return a.offset != b.offset ? a.offset < b.offset : a.declaration > b.declaration;
    });
    // The codes of an expanded value set share their ranges with its declaration's codes.
    found_.erase(std::unique(found_.begin(), found_.end(),
                             [](const Occurrence& a, const Occurrence& b) {
                               return a.offset == b.offset && a.end == b.end;
                             }),
                 found_.end());
    return std::move(found_);
  }

 private:
  void add(SourceRange range, SymbolRef symbol, bool declaration = false) {
    if (range.length == 0 || range.file != analysis_.file) {
      return;
    }
    found_.push_back(Occurrence{range.offset, range.end(), symbol, declaration});
  }
  void add_named(const ast::Named& named, SymbolClass symbol_class,
                 const std::map<std::string, std::uint32_t, std::less<>>& table) {
    const auto found = table.find(named.name);
    if (found != table.end()) {
      add(named.range, {symbol_class, found->second});
    }
  }
  void add_value_name(const ast::Named& named) {
    if (const auto symbol = analysis_.find_value_name(named.name)) {
      add(named.range, *symbol);
    }
  }
  void add_citation(const ast::Citation& citation) {
    const auto found = sources_.find(citation.number);
    if (found != sources_.end()) {
      add(citation.range, {SymbolClass::source, found->second});
    }
  }
  void add_code(const ast::CodeReference& code) {
    add_named(code.system, SymbolClass::code_system, code_systems_);
  }

  void declarations() {
    for (std::uint32_t i = 0; i < module_.facts.size(); ++i) {
      add(module_.facts[i].name.range, {SymbolClass::fact, i}, true);
    }
    for (std::uint32_t i = 0; i < module_.parameters.size(); ++i) {
      add(module_.parameters[i].name.range, {SymbolClass::parameter, i}, true);
    }
    for (std::uint32_t i = 0; i < module_.definitions.size(); ++i) {
      add(module_.definitions[i].name.range, {SymbolClass::definition, i}, true);
    }
    for (std::uint32_t i = 0; i < module_.recommendations.size(); ++i) {
      add(module_.recommendations[i].id.range, {SymbolClass::recommendation, i}, true);
    }
    for (std::uint32_t i = 0; i < module_.sources.size(); ++i) {
      add(module_.sources[i].number_range, {SymbolClass::source, i}, true);
    }
    for (std::uint32_t i = 0; i < module_.code_systems.size(); ++i) {
      add(module_.code_systems[i].name.range, {SymbolClass::code_system, i}, true);
    }
    for (std::uint32_t i = 0; i < module_.value_sets.size(); ++i) {
      add(module_.value_sets[i].name.range, {SymbolClass::value_set, i}, true);
    }
  }

  void expressions() {
    const CheckedModule& checked = *analysis_.checked;
    for (std::uint32_t i = 0; i < module_.expressions.size(); ++i) {
      const ast::Expr& expr = module_.expressions[i];
      switch (expr.kind) {
        case ast::ExprKind::name: {
          const Symbol symbol = i < checked.symbols.size() ? checked.symbols[i] : Symbol{};
          switch (symbol.kind) {
            case SymbolKind::fact: add(expr.range, {SymbolClass::fact, symbol.index}); break;
            case SymbolKind::parameter:
              add(expr.range, {SymbolClass::parameter, symbol.index});
              break;
            case SymbolKind::definition:
              add(expr.range, {SymbolClass::definition, symbol.index});
              break;
            case SymbolKind::none: break;
          }
          break;
        }
        case ast::ExprKind::list:
          // A value set's name after `in`, expanded by the checker into its codes.
          if (!expr.text.empty()) {
            add_named(ast::Named{expr.text, expr.range}, SymbolClass::value_set, value_sets_);
          }
          break;
        case ast::ExprKind::coding_literal:
          add_named(ast::Named{expr.unit, expr.operator_range}, SymbolClass::code_system,
                    code_systems_);
          break;
        default: break;
      }
    }
  }

  void clauses() {
    for (const ast::FactDeclaration& fact : module_.facts) {
      for (const ast::UnitConversion& conversion : fact.conversions) {
        if (!conversion.cites_text) {
          add_citation(conversion.source);
        }
      }
      if (fact.binding) {
        if (fact.binding->code) {
          add_code(*fact.binding->code);
        }
        if (fact.binding->value_set) {
          add_named(*fact.binding->value_set, SymbolClass::value_set, value_sets_);
        }
      }
    }
    for (const ast::ValueSetDeclaration& value_set : module_.value_sets) {
      for (const ast::CodeReference& code : value_set.codes) {
        add_code(code);
      }
    }
    for (const ast::RecommendationDeclaration& recommendation : module_.recommendations) {
      for (const ast::Citation& citation : recommendation.citations) {
        add_citation(citation);
      }
      for (const ast::Named& name : recommendation.carried) {
        add_value_name(name);
      }
      for (const ast::Named& name : recommendation.reported) {
        add_value_name(name);
      }
      for (const ast::Named& name : recommendation.excluded) {
        add_named(name, SymbolClass::recommendation, recommendations_);
      }
    }
  }

  const DocumentAnalysis& analysis_;
  const ast::Module& module_;
  std::map<std::string, std::uint32_t, std::less<>> recommendations_;
  std::map<std::string, std::uint32_t, std::less<>> code_systems_;
  std::map<std::string, std::uint32_t, std::less<>> value_sets_;
  std::map<std::uint32_t, std::uint32_t> sources_;
  std::vector<Occurrence> found_;
};

}  // namespace

const char* symbol_class_name(SymbolClass symbol_class) {
  switch (symbol_class) {
    case SymbolClass::fact: return "fact";
    case SymbolClass::parameter: return "parameter";
    case SymbolClass::definition: return "definition";
    case SymbolClass::recommendation: return "recommendation";
    case SymbolClass::source: return "source";
    case SymbolClass::code_system: return "code system";
    case SymbolClass::value_set: return "value set";
  }
  return "name";
}

bool is_reserved_word(std::string_view word) {
  return std::find(kReservedWords.begin(), kReservedWords.end(), word) != kReservedWords.end();
}

bool is_identifier(std::string_view word) {
  const auto letter = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (word.empty() || !letter(word.front())) {
    return false;
  }
  return std::all_of(word.begin(), word.end(),
                     [&](char c) { return letter(c) || (c >= '0' && c <= '9'); });
}

const Occurrence* DocumentAnalysis::occurrence_at(std::uint32_t offset) const {
  auto after = std::upper_bound(
      occurrences.begin(), occurrences.end(), offset,
      [](std::uint32_t at, const Occurrence& occurrence) { return at < occurrence.offset; });
  if (after == occurrences.begin()) {
    return nullptr;
  }
  const Occurrence& candidate = *(after - 1);
  return offset <= candidate.end ? &candidate : nullptr;
}

std::vector<Occurrence> DocumentAnalysis::occurrences_of(SymbolRef symbol) const {
  std::vector<Occurrence> out;
  for (const Occurrence& occurrence : occurrences) {
    if (occurrence.symbol == symbol) {
      out.push_back(occurrence);
    }
  }
  return out;
}

SourceRange DocumentAnalysis::declaration_name(SymbolRef symbol) const {
  const ast::Module& m = module();
  switch (symbol.symbol_class) {
    case SymbolClass::fact: return m.facts[symbol.index].name.range;
    case SymbolClass::parameter: return m.parameters[symbol.index].name.range;
    case SymbolClass::definition: return m.definitions[symbol.index].name.range;
    case SymbolClass::recommendation: return m.recommendations[symbol.index].id.range;
    case SymbolClass::source: return m.sources[symbol.index].number_range;
    case SymbolClass::code_system: return m.code_systems[symbol.index].name.range;
    case SymbolClass::value_set: return m.value_sets[symbol.index].name.range;
  }
  return {};
}

SourceRange DocumentAnalysis::declaration_range(SymbolRef symbol) const {
  const ast::Module& m = module();
  switch (symbol.symbol_class) {
    case SymbolClass::fact: return m.facts[symbol.index].range;
    case SymbolClass::parameter: return m.parameters[symbol.index].range;
    case SymbolClass::definition: return m.definitions[symbol.index].range;
    case SymbolClass::recommendation: return m.recommendations[symbol.index].range;
    case SymbolClass::source: return m.sources[symbol.index].range;
    case SymbolClass::code_system: return m.code_systems[symbol.index].range;
    case SymbolClass::value_set: return m.value_sets[symbol.index].range;
  }
  return {};
}

std::string DocumentAnalysis::name_of(SymbolRef symbol) const {
  if (symbol.symbol_class == SymbolClass::source) {
    return std::to_string(module().sources[symbol.index].number);
  }
  return std::string(sources.text(declaration_name(symbol)));
}

std::optional<SymbolRef> DocumentAnalysis::find_value_name(std::string_view name) const {
  const ast::Module& m = module();
  for (std::uint32_t i = 0; i < m.facts.size(); ++i) {
    if (m.facts[i].name.name == name) {
      return SymbolRef{SymbolClass::fact, i};
    }
  }
  for (std::uint32_t i = 0; i < m.parameters.size(); ++i) {
    if (m.parameters[i].name.name == name) {
      return SymbolRef{SymbolClass::parameter, i};
    }
  }
  for (std::uint32_t i = 0; i < m.definitions.size(); ++i) {
    if (m.definitions[i].name.name == name) {
      return SymbolRef{SymbolClass::definition, i};
    }
  }
  return std::nullopt;
}

std::shared_ptr<const DocumentAnalysis> analyse_document(std::string name, std::string text) {
  auto analysis = std::make_shared<DocumentAnalysis>();
  analysis->file = analysis->sources.add(std::move(name), std::move(text));
  Diagnostics syntax;
  ast::Module module = parse_module(analysis->sources, analysis->file, syntax, &analysis->tokens);
  analysis->syntax_ok = !syntax.has_errors();
  Diagnostics checking;
  analysis->checked = std::make_shared<const CheckedModule>(
      check_module(std::move(module), analysis->sources, checking));
  if (analysis->syntax_ok) {
    syntax.append(checking);
  }
  analysis->diagnostics = std::move(syntax);
  analysis->diagnostics.sort();
  if (analysis->syntax_ok) {
    analysis->guideline = Guideline::compile(analysis->checked);
  }
  analysis->occurrences = OccurrenceCollector(*analysis).collect();
  return analysis;
}

}  // namespace rubric::lsp
