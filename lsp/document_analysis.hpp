// What the language server knows about one version of a document: its tokens, its checked
// module, the diagnostics `rubric check` reports for it, and every occurrence of every name.
//
// The checker runs even on a file with syntax errors (on the declarations the parser could
// read), so that hover, navigation and completion keep working while a line is half typed;
// the diagnostics are then only the syntax errors, as `rubric check` reports them.
//
// Contract: a DocumentAnalysis is immutable once made and owns everything it refers to (its
// SourceManager holds the text); share it as std::shared_ptr<const DocumentAnalysis>.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/checker.hpp"
#include "dsl/parser.hpp"
#include "engine/guideline.hpp"

namespace rubric::lsp {

// The kinds of things a rule file names. Facts, parameters and definitions share one
// namespace (names in expressions); recommendations, sources, code systems and value sets
// each have their own.
enum class SymbolClass : std::uint8_t {
  fact,
  parameter,
  definition,
  recommendation,
  source,
  code_system,
  value_set
};

// "fact", "parameter", "definition", "recommendation", "source", "code system", "value set".
const char* symbol_class_name(SymbolClass symbol_class);

struct SymbolRef {
  SymbolClass symbol_class = SymbolClass::fact;
  std::uint32_t index = 0;  // into the module's vector of that class
  friend bool operator==(SymbolRef, SymbolRef) = default;
};

// One place where a symbol is named: its declaration, or a use. Byte offsets.
struct Occurrence {
  std::uint32_t offset = 0;
  std::uint32_t end = 0;
  SymbolRef symbol;
  bool declaration = false;
};

struct DocumentAnalysis {
  SourceManager sources;
  FileId file;
  TokenStream tokens;
  std::shared_ptr<const CheckedModule> checked;
  // The syntax errors when there are any; else the checker's diagnostics (sorted).
  Diagnostics diagnostics;
  bool syntax_ok = false;
  // The compiled guideline when the file has no errors.
  std::shared_ptr<const Guideline> guideline;
  // Every occurrence, by offset (occurrences do not overlap).
  std::vector<Occurrence> occurrences;

  [[nodiscard]] const ast::Module& module() const { return checked->module; }
  [[nodiscard]] std::string_view text() const { return sources.text(file); }
  // The occurrence whose range holds `offset` or ends at it (a cursor just after a name).
  [[nodiscard]] const Occurrence* occurrence_at(std::uint32_t offset) const;
  [[nodiscard]] std::vector<Occurrence> occurrences_of(SymbolRef symbol) const;
  // The range of the symbol's name (or number) in its declaration.
  [[nodiscard]] SourceRange declaration_name(SymbolRef symbol) const;
  // The range of the whole declaration.
  [[nodiscard]] SourceRange declaration_range(SymbolRef symbol) const;
  // The symbol's name as written (a source's number as digits).
  [[nodiscard]] std::string name_of(SymbolRef symbol) const;
  // The symbol a name in an expression or clause would denote: a fact, parameter or
  // definition; nullopt when none is declared with that name.
  [[nodiscard]] std::optional<SymbolRef> find_value_name(std::string_view name) const;
};

// Parses, checks and (when it has no errors) compiles `text`, named `name` in messages. The
// analysis findings are the server's to run (lsp/server.hpp), on the compiled guideline.
std::shared_ptr<const DocumentAnalysis> analyse_document(std::string name, std::string text);

// True when `word` is a reserved word of the language (it cannot name anything).
bool is_reserved_word(std::string_view word);
// True when `word` is written like a name: a letter or `_`, then letters, digits or `_`.
bool is_identifier(std::string_view word);

}  // namespace rubric::lsp
