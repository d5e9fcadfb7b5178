// Where CQL's null rules decide a value from an absent fact (docs/diagnostics.md#w0306,
// #w0307; docs/semantics.md#known-results-from-unknown-facts):
//
// - W0306 (warning): an `if` or `case` whose condition may be unknown because a fact is
//   absent, with a result other than `null` for that case, used as an operand of arithmetic
//   or of a comparison: `(if diabetes then 1 else 0) + ...` counts an absent `diabetes` as 0.
// - W0307 (note): an `if` that takes its `else`, a `case` that skips its rows, or an `in`
//   that is false (or true), because a fact is absent, where that value reaches a
//   recommendation's condition or a reported definition.
//
// A fact is taken as present where the context guarantees it (`a is not null and ...`, the
// `else` of `if a is null then ...`, the `then` of `if a then ...`), across definitions too.
#pragma once

#include "dsl/checker.hpp"
#include "dsl/diagnostic.hpp"

namespace rubric {

// Reports W0306 and W0307 for a module the checker accepted (`checked.ok`), in source order;
// `sources` holds its text (messages quote short expressions).
void check_null_rules(const CheckedModule& checked, const SourceManager& sources,
                      Diagnostics& diagnostics);

}  // namespace rubric
