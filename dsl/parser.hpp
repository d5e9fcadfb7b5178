// Parsing `.rubric` files and standalone expressions into the AST.
//
// Syntax errors are reported as diagnostics (code E01xx); after an error in a declaration
// the parser resumes at the next line that starts a declaration, so one run reports the
// syntax errors of every declaration. Never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

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

// The tokens and comments of a rule file exactly as the grammar (grammar/rubric_grammar.hpp)
// matched them while parse_module parsed it: the one definition of where a token or a comment
// begins and ends, for tools that work on the text as written (the formatter).
//
// Contract, for a file that parse_module read without syntax errors:
// - `tokens`: one entry per match of a lexical rule of the grammar, in source order: a keyword
//   or calendar word (`and`, `is`, `weeks`); a name; a number (`4`, `4.5`); a 'string' or a
//   "text", quotes included (a unit such as 'mg/dL' is a string); a kind (`follow-up` is one
//   token); an operator (`+ - * / = != ~ !~ < <= > >=`, two characters as one token); each of
//   `( ) { } , : =`. A quantity (`4 weeks`, `3 'mg'`) is two tokens, its number and its unit;
//   `is not` is two tokens (a comment may stand between them).
// - `comments`: every comment, in source order: `//` to the end of its line (the line break
//   not included) or `/*` to `*/`. Strings and texts hold no comments (`'a // b'` is a string).
// - Offsets are bytes into the file's text, each entry the half-open range [offset, end).
//   Tokens and comments do not overlap, and every byte outside them is whitespace (space, tab,
//   line break, CR, VT, FF).
// For a file with syntax errors the lists hold what was read around the errors: no contract.
enum class TokenKind : std::uint8_t { open_paren, close_paren, other };

struct SourceToken {
  std::uint32_t offset = 0;
  std::uint32_t end = 0;
  TokenKind kind = TokenKind::other;
};

struct SourceComment {
  std::uint32_t offset = 0;
  std::uint32_t end = 0;
  bool line_comment = false;  // `//`; else `/* */`
};

struct TokenStream {
  std::vector<SourceToken> tokens;
  std::vector<SourceComment> comments;
};

// Parses a whole rule file; fills `tokens`, when given, with its tokens and comments.
ast::Module parse_module(const SourceManager& sources, FileId file, Diagnostics& diagnostics,
                         TokenStream* tokens = nullptr);

// Parses `file`'s whole text as one expression, appending it to `module`.
std::optional<ast::ExprId> parse_expression(const SourceManager& sources, FileId file,
                                            ast::Module& module, Diagnostics& diagnostics);

}  // namespace rubric
