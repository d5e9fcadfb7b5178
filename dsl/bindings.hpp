// The checker's part for code systems, value sets and fact bindings (docs/fhir.md): checks
// the declarations and resolves each fact's `from ... value ...` clause into a FactBinding
// (values/binding.hpp).
//
// Contract: a Terminology views the module it was built from, which must outlive it; one per
// checker run; not thread-safe.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "dsl/ast.hpp"
#include "dsl/diagnostic.hpp"
#include "values/binding.hpp"
#include "values/fact_set.hpp"

namespace rubric {

class Terminology {
 public:
  // Checks the module's `codesystem` and `valueset` declarations: E0224 (a bad URI, a name or
  // a URI declared twice), E0225 (a value set's code of an undeclared system), W0308 (a code
  // listed twice in a value set).
  Terminology(const ast::Module& module, Diagnostics& diagnostics);

  // Resolves `clause`, the binding of `fact` (whose type is known), or reports why it cannot
  // (E0225 an undeclared code system, E0226 an undeclared value set, E0227 anything else)
  // and gives nullopt.
  std::optional<FactBinding> resolve(const ast::BindingClause& clause, const FactSpec& fact);

  // The coding that a coding literal `SYSTEM 'code'` of an expression writes, or nullopt
  // after E0225 (an undeclared code system, with "did you mean") or E0224 (an empty code).
  std::optional<Coding> code(const ast::CodeReference& code) { return resolve_code(code); }

  // Whether `name` is a declared value set.
  [[nodiscard]] bool is_value_set(std::string_view name) const {
    return value_sets_.contains(name);
  }

  // The codes of value set `name`, in order, counting the set as used (W0309); nullopt when
  // `name` is not a value set or one of its codes has an undeclared system (already reported
  // by the constructor).
  std::optional<std::vector<Coding>> value_set_codes(std::string_view name);

  // W0309 and W0310: value sets and code systems that nothing uses.
  void report_unused() const;

 private:
  void report_binding(SourceRange range, std::string message) const;
  std::optional<Coding> resolve_code(const ast::CodeReference& code);
  bool filters(const ast::BindingClause& clause, FactBinding& binding) const;
  bool value(const ast::BindingClause& clause, const FactSpec& fact, FactBinding& binding) const;
  bool element_unit(const ast::BindingClause& clause, const FactSpec& fact,
                    FactBinding& binding) const;
  // Fills binding.value_systems for a binding that reads a coded concept (E0227 when the file
  // declares no code system to read it in).
  bool coding_systems(const ast::BindingClause& clause, FactBinding& binding) const;

  const ast::Module& module_;
  Diagnostics& diagnostics_;
  std::map<std::string, std::uint32_t, std::less<>> systems_;     // name -> declaration index
  std::map<std::string, std::uint32_t, std::less<>> value_sets_;  // name -> declaration index
  std::set<std::uint32_t> used_systems_;
  std::set<std::uint32_t> used_value_sets_;
};

}  // namespace rubric
