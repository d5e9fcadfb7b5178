// Parsing `.rubric` files and standalone expressions into the AST.
//
// Syntax errors are reported as diagnostics (code E01xx); after an error in a declaration
// the parser resumes at the next line that starts a declaration, so one run reports the
// syntax errors of every declaration. Never throws.
#pragma once

#include <optional>

#include "dsl/ast.hpp"
#include "dsl/diagnostic.hpp"
#include "dsl/source.hpp"

namespace rubric {

// Limits on hostile input (documented in docs/language.md).
inline constexpr std::size_t kMaxSourceBytes = 16U * 1024U * 1024U;
// Parenthesised and prefix nesting is bounded by the parser's rule depth (about 80
// parentheses); the depth of the expression tree, where each operator of a chain such as
// `a or b or c` counts as a level, is bounded by kMaxExpressionDepth.
inline constexpr std::size_t kMaxNestingDepth = 64;
inline constexpr std::uint32_t kMaxExpressionDepth = 1000;

// Parses a whole rule file.
ast::Module parse_module(const SourceManager& sources, FileId file, Diagnostics& diagnostics);

// Parses `file`'s whole text as one expression, appending it to `module`.
std::optional<ast::ExprId> parse_expression(const SourceManager& sources, FileId file,
                                            ast::Module& module, Diagnostics& diagnostics);

}  // namespace rubric
