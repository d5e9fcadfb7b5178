// Parsing `.rubric` files and standalone expressions into the AST.
//
// Syntax errors are reported as diagnostics (code E01xx); after an error in a declaration
// the parser resumes at the next line that starts a declaration, so one run reports the
// syntax errors of every declaration. Never throws.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "dsl/ast.hpp"
#include "dsl/diagnostic.hpp"
#include "dsl/source.hpp"
#include "values/value.hpp"

namespace rubric {

// Limits on hostile input (documented in docs/limits.md).
inline constexpr std::size_t kMaxSourceBytes = std::size_t{16} * 1024U * 1024U;
// Parenthesised and prefix nesting is bounded by the parser's rule depth (about 80
// parentheses); the depth of the expression tree, where each operator of a chain such as
// `a or b or c` counts as a level, is bounded by kMaxExpressionDepth.
inline constexpr std::size_t kMaxNestingDepth = 64;
inline constexpr std::uint32_t kMaxExpressionDepth = 1000;
// A name (fact, parameter, definition, recommendation id, kind, function) longer than this
// is E0106; a string (literal, text, description, citation, unit, code) longer than this,
// counted in bytes as written, is E0107; a file with more declarations than this is E0108
// (reported once, and the rest of the file is not parsed). See docs/limits.md. The string
// limit, kMaxStringBytes, is in values/value.hpp (fact values share it).
inline constexpr std::size_t kMaxIdentifierBytes = 256;
inline constexpr std::size_t kMaxDeclarations = 200000;
// The expression nodes (operators, operands, literals, names) of a whole file, counted as it
// is parsed: bounds the memory of a file full of short operators (E0108).
inline constexpr std::size_t kMaxExpressionNodes = 1000000;

// The offset of the first byte of `text` that is not part of well-formed UTF-8 (overlong
// forms, surrogates and code points above U+10FFFF included), or nullopt when it is all valid.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

// Parses a whole rule file.
ast::Module parse_module(const SourceManager& sources, FileId file, Diagnostics& diagnostics);

// Parses `file`'s whole text as one expression, appending it to `module`.
std::optional<ast::ExprId> parse_expression(const SourceManager& sources, FileId file,
                                            ast::Module& module, Diagnostics& diagnostics);

}  // namespace rubric
