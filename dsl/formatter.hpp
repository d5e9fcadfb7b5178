// `rubric fmt`: the one canonical layout of a `.rubric` file.
//
// The formatter parses the file (parse_module only: a file with type errors but valid syntax
// is still formatted), prints every declaration in file order from the AST with canonical
// spacing and line breaks, and puts back every comment next to the token it was next to. The
// tokens and comments are the grammar's, as the parser read them (TokenStream in
// dsl/parser.hpp); the formatter does not lex the text itself.
//
// Canonical layout (the seed guideline is written in it):
// - `guideline "id"`, then `title` and `version` each on its own line, indented 2;
// - `source N "citation"` and every fact and parameter on one line; a fact's or a
//   parameter's description moves to the next line, indented 2, when the line would be wider
//   than kFormatWidth columns; a definition's description is always on its own line;
// - recommendation clauses each on its own line, indented 2, in the grammar's fixed order
//   kind, indicator, text, summary, cite, evidence, carry, report, excludes, when;
//   `coverage when CONDITION` like a definition (the condition on the next line when it does
//   not fit, the description always on its own line);
// - one space around binary operators and after commas (`x is not null`, `{1, 2}`,
//   `Coalesce(a, b)`, `-x`, `- -x`, `not x`); parentheses where precedence needs them
//   (`(a or b) and c`, `a - (b - c)`, `not (a = b)`, but `not a = b` for `(not a) = b`, and
//   `(if a then b else c) + d`: an `if` is open to the right), and around every `and` that
//   is an operand of `or` or `xor` (`(a and b) or c`: readers misread `a and b or c`), the
//   source's or not; other parentheses are dropped; literals as written (numbers,
//   quantity units), strings and texts re-encoded with the canonical escapes;
// - an expression that does not fit is broken before the operators of its outermost operator
//   chain first (`and`/`or` in a condition), continuation lines indented 2 more than the line
//   the expression starts on (4 more for a chain that heads a looser one: `a` + `and b` before
//   `or c`); a definition's or parameter's value that does not fit after `=` moves to the
//   next line, indented 2; long `case`, `if`, calls and lists break one part per line;
// - between declarations: one blank line where the author had one or more; always one around
//   the header, definitions and recommendations; none inside a declaration.
//
// Comments: a comment alone on its line stays on a line of its own, before the token that
// followed it (one just after a chain operator or an opening parenthesis goes before that
// operator or parenthesis, where the broken line starts); a comment after code stays at the
// end of that line; a block comment between tokens of one line stays there. Comments between
// declarations keep the blank lines around them (runs collapsed). A line comment inside an
// expression breaks the expression's groups around it.
//
// Guarantees (checked by tests/unit/test_formatter.cpp on golden files, the seed guideline and
// random files): the result parses to the same AST and holds the same comments in the same
// order, and formatting it again changes nothing. format_source re-parses its own output and
// refuses (E0199, an internal error) rather than return a text that would mean something else.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "dsl/diagnostic.hpp"
#include "dsl/source.hpp"

namespace rubric {

// The line width the formatter wraps at.
inline constexpr std::size_t kFormatWidth = 100;

// The canonical form of `file` (ending in a newline unless it is empty), or nullopt when the
// file has syntax errors, which are then in `diagnostics`. Never throws for bad input.
std::optional<std::string> format_source(const SourceManager& sources, FileId file,
                                         Diagnostics& diagnostics);

}  // namespace rubric
