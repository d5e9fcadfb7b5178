// Tests of grammar/rubric_grammar.hpp through rubric::parse_expression: the grammar is free of
// left recursion and empty loops, every operator has CQL's precedence and associativity, the
// literals and compound expressions lower to the expected AST, and every syntax error that can
// occur in an expression has its message (grammar/errors.hpp) at the right column.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze.hpp>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/diagnostic.hpp"
#include "dsl/parser.hpp"
#include "dsl/source.hpp"
#include "grammar/errors.hpp"
#include "grammar/rubric_grammar.hpp"

namespace {

struct ParsedExpression {
  std::optional<std::string> dump;  // ast::dump of the expression, if it parsed
  std::vector<rubric::Diagnostic> diagnostics;
  std::vector<rubric::LineColumn> positions;  // of each diagnostic
  std::string formatted;                      // format_diagnostics
};

ParsedExpression parse(std::string_view text) {
  rubric::SourceManager sources;
  const rubric::FileId file = sources.add("<expression>", std::string(text));
  rubric::ast::Module module;
  module.file = file;
  rubric::Diagnostics diagnostics;
  const std::optional<rubric::ast::ExprId> id =
      rubric::parse_expression(sources, file, module, diagnostics);
  ParsedExpression result;
  if (id) {
    result.dump = rubric::ast::dump(module, *id);
  }
  result.diagnostics = diagnostics.all();
  for (const rubric::Diagnostic& diagnostic : diagnostics.all()) {
    result.positions.push_back(sources.line_column(file, diagnostic.range.offset));
  }
  result.formatted = rubric::format_diagnostics(sources, diagnostics);
  return result;
}

struct Accepted {
  const char* input;
  const char* dump;
};

void check_accepted(const std::vector<Accepted>& rows) {
  for (const Accepted& row : rows) {
    INFO("input: " << row.input);
    const ParsedExpression parsed = parse(row.input);
    INFO(parsed.formatted);
    CHECK(parsed.diagnostics.empty());
    REQUIRE(parsed.dump.has_value());
    CHECK(*parsed.dump == row.dump);
  }
}

}  // namespace

TEST_CASE("the grammar has no left recursion and no empty loops", "[grammar]") {
  CHECK(tao::pegtl::analyze<rubric::grammar::file>() == 0);
  CHECK(tao::pegtl::analyze<rubric::grammar::expression_input>() == 0);
  // What the parser runs in a loop over a file.
  CHECK(tao::pegtl::analyze<rubric::grammar::next_declaration>() == 0);
}

TEST_CASE("binary operators follow CQL precedence and associate to the left",
          "[grammar][expression]") {
  check_accepted({
      // implies: the lowest level, left-associative.
      {"a implies b", "(implies a b)"},
      {"a implies b implies c", "(implies (implies a b) c)"},
      {"a or b implies c or d", "(implies (or a b) (or c d))"},
      {"a implies b xor c", "(implies a (xor b c))"},
      // or and xor: one level.
      {"a or b", "(or a b)"},
      {"a xor b", "(xor a b)"},
      {"a or b xor c", "(xor (or a b) c)"},
      {"a xor b or c", "(or (xor a b) c)"},
      // and binds tighter than or and xor.
      {"a and b", "(and a b)"},
      {"a or b and c", "(or a (and b c))"},
      {"a and b or c", "(or (and a b) c)"},
      {"a and b xor c and d", "(xor (and a b) (and c d))"},
      {"a and b and c", "(and (and a b) c)"},
      // in binds tighter than and, looser than equality.
      {"x in {1}", "(in x (list 1))"},
      {"a and x in {1} and b", "(and (and a (in x (list 1))) b)"},
      {"x in {1} in {true}", "(in (in x (list 1)) (list true))"},
      {"x = 1 in {true}", "(in (= x 1) (list true))"},
      {"x in {1} = y", "(in x (= (list 1) y))"},
      // Equality: = != ~ !~, one level.
      {"a = b", "(= a b)"},
      {"a != b", "(!= a b)"},
      {"a ~ b", "(~ a b)"},
      {"a !~ b", "(!~ a b)"},
      {"a = b != c ~ d !~ e", "(!~ (~ (!= (= a b) c) d) e)"},
      {"a=b", "(= a b)"},
      {"a!=b", "(!= a b)"},
      {"a~b", "(~ a b)"},
      {"a!~b", "(!~ a b)"},
      // Comparison binds tighter than equality.
      {"a < b", "(< a b)"},
      {"a <= b", "(<= a b)"},
      {"a > b", "(> a b)"},
      {"a >= b", "(>= a b)"},
      {"a<b", "(< a b)"},
      {"a<=b", "(<= a b)"},
      {"a>b", "(> a b)"},
      {"a>=b", "(>= a b)"},
      {"a < b <= c", "(<= (< a b) c)"},
      {"a > b >= c", "(>= (> a b) c)"},
      {"a < b = c >= d", "(= (< a b) (>= c d))"},
      {"a = b < c", "(= a (< b c))"},
      {"a != b > c", "(!= a (> b c))"},
      // between binds tighter than comparison; its bounds are additive terms.
      {"x between 1 and 2", "(between x 1 2)"},
      {"x between 1 and 2 < y", "(< (between x 1 2) y)"},
      {"y < x between 1 and 2", "(< y (between x 1 2))"},
      {"x between 1 and 2 and y", "(and (between x 1 2) y)"},
      {"a and x between 1 and 2", "(and a (between x 1 2))"},
      {"x between a + 1 and b * 2", "(between x (+ a 1) (* b 2))"},
      {"x between -1 and 2 days", "(between x (- 1) (quantity 2 days))"},
      {"x + 1 between 1 and 2", "(between (+ x 1) 1 2)"},
      {"x between (a or b) and c", "(between x (or a b) c)"},
      // + and - bind tighter than the tests, looser than * / div mod.
      {"1 + 2", "(+ 1 2)"},
      {"1 - 2", "(- 1 2)"},
      {"1 + 2 - 3", "(- (+ 1 2) 3)"},
      {"1 - 2 + 3", "(+ (- 1 2) 3)"},
      {"1 - 2 - 3", "(- (- 1 2) 3)"},
      {"a + b < c - d", "(< (+ a b) (- c d))"},
      {"1+2", "(+ 1 2)"},
      {"1-2", "(- 1 2)"},
      // * / div mod: one level above + and -.
      {"1 * 2", "(* 1 2)"},
      {"1 / 2", "(/ 1 2)"},
      {"7 div 2", "(div 7 2)"},
      {"7 mod 2", "(mod 7 2)"},
      {"1 + 2 * 3", "(+ 1 (* 2 3))"},
      {"1 * 2 + 3", "(+ (* 1 2) 3)"},
      {"a - b / c", "(- a (/ b c))"},
      {"7 div 2 + 1", "(+ (div 7 2) 1)"},
      {"7 mod 2 - 1", "(- (mod 7 2) 1)"},
      {"8 / 4 / 2", "(/ (/ 8 4) 2)"},
      {"d div 2 mod 3 * 4 / 5", "(/ (* (mod (div d 2) 3) 4) 5)"},
      {"1*2", "(* 1 2)"},
      {"1/2", "(/ 1 2)"},
      {"(1 + 2) * 3", "(* (+ 1 2) 3)"},
  });
}

TEST_CASE("prefix operators and postfix tests follow CQL precedence", "[grammar][expression]") {
  check_accepted({
      // not: above between, below the tests.
      {"not a", "(not a)"},
      {"not not a", "(not (not a))"},
      {"not x between 1 and 2", "(between (not x) 1 2)"},
      {"not a = b", "(= (not a) b)"},
      {"not x >= 3", "(>= (not x) 3)"},
      {"not a and b", "(and (not a) b)"},
      {"a and not b", "(and a (not b))"},
      {"not (a and b)", "(not (and a b))"},
      {"not a is null", "(not (is null a))"},
      {"not(a)", "(not a)"},
      // is [not] null/true/false: postfix, above not, below + and -.
      {"a is null", "(is null a)"},
      {"a is not null", "(is not null a)"},
      {"a is true", "(is true a)"},
      {"a is not true", "(is not true a)"},
      {"a is false", "(is false a)"},
      {"a is not false", "(is not false a)"},
      {"a is null is not false", "(is not false (is null a))"},
      {"a is   not\n  null", "(is not null a)"},
      {"a is /* comment */ not null", "(is not null a)"},
      {"a + b is null", "(is null (+ a b))"},
      {"a - b is not true", "(is not true (- a b))"},
      {"a is null and b is not null", "(and (is null a) (is not null b))"},
      {"a is null = b", "(= (is null a) b)"},
      // Unary + and -: above * / div mod.
      {"-a", "(- a)"},
      {"+a", "(+ a)"},
      {"-a * b", "(* (- a) b)"},
      {"a * -b", "(* a (- b))"},
      {"-a - -b", "(- (- a) (- b))"},
      {"1 - -2", "(- 1 (- 2))"},
      {"- -1", "(- (- 1))"},
      {"--1", "(- (- 1))"},
      {"-+1", "(- (+ 1))"},
      {"-x is null", "(is null (- x))"},
      {"- (a + b)", "(- (+ a b))"},
      {"-3 days", "(- (quantity 3 days))"},
      {"-2147483648", "(- 2147483648)"},
  });
}

TEST_CASE("literals", "[grammar][expression]") {
  check_accepted({
      // Numbers: as written.
      {"0", "0"},
      {"42", "42"},
      {"007", "007"},
      {"2147483648", "2147483648"},  // range is the checker's business (E0203)
      {"3.50", "3.50"},
      {"0.5", "0.5"},
      {"1.000000000", "1.000000000"},
      // Strings: single quotes, CQL escapes.
      {"'left'", "'left'"},
      {"''", "''"},
      {R"('it\'s')", "'it's'"},
      {R"('a\\b')", R"('a\b')"},
      {R"('say \"hi\"')", R"('say "hi"')"},
      {R"('say "hi"')", R"('say "hi"')"},
      {R"('tab\there')", "'tab\there'"},
      {R"('\n\r\f')", "'\n\r\f'"},
      {R"('\u00e9')", "'\xC3\xA9'"},
      {R"('\u00E9t\u00e9')", "'\xC3\xA9t\xC3\xA9'"},
      {R"('\u20AC')", "'\xE2\x82\xAC'"},
      {R"('\u0041BC')", "'ABC'"},
      {R"('\/')", "'/'"},  // an unknown escape is E0111: test_parser_limits.cpp
      {"'\xC3\xA9'", "'\xC3\xA9'"},
      {"'// not a comment'", "'// not a comment'"},
      {"'/* not a comment */'", "'/* not a comment */'"},
      {"'and'", "'and'"},
      // Quantities: calendar words, singular and plural, and quoted UCUM units.
      {"3 days", "(quantity 3 days)"},
      {"1 day", "(quantity 1 day)"},
      {"4 weeks", "(quantity 4 weeks)"},
      {"1 week", "(quantity 1 week)"},
      {"6 months", "(quantity 6 months)"},
      {"1 month", "(quantity 1 month)"},
      {"65 years", "(quantity 65 years)"},
      {"1 year", "(quantity 1 year)"},
      {"2 hours", "(quantity 2 hours)"},
      {"1 hour", "(quantity 1 hour)"},
      {"30 minutes", "(quantity 30 minutes)"},
      {"1 minute", "(quantity 1 minute)"},
      {"10 seconds", "(quantity 10 seconds)"},
      {"1 second", "(quantity 1 second)"},
      {"500 milliseconds", "(quantity 500 milliseconds)"},
      {"1 millisecond", "(quantity 1 millisecond)"},
      {"1.5 days", "(quantity 1.5 days)"},
      {"1000 'mg'", "(quantity 1000 mg)"},
      {"2.5 'mg/d'", "(quantity 2.5 mg/d)"},
      {"800 '[iU]/d'", "(quantity 800 [iU]/d)"},
      {"37.5 'Cel'", "(quantity 37.5 Cel)"},
      {"15 '%'", "(quantity 15 %)"},
      {"5\t'mg'", "(quantity 5 mg)"},
      {"5'mg'", "(quantity 5 mg)"},
      {"3days", "(quantity 3 days)"},
      {"3   days", "(quantity 3 days)"},
      {R"(2 'ab\'c')", "(quantity 2 ab'c)"},
      // null, true, false; case-sensitive and whole words only.
      {"null", "null"},
      {"true", "true"},
      {"false", "false"},
      {"nullx", "nullx"},
      {"true_", "true_"},
      {"false1", "false1"},
      {"False", "False"},
      {"NULL", "NULL"},
      // Codings: a code system's name, blanks, then the code as a string.
      {"SCT '44054006'", "(coding SCT '44054006')"},
      {"LOINC\t'72514-3'", "(coding LOINC '72514-3')"},
      {R"(LOCAL 'it\'s')", "(coding LOCAL 'it's')"},
      {"x = SCT 'a'", "(= x (coding SCT 'a'))"},
      {"x != SCT 'a'", "(!= x (coding SCT 'a'))"},
      {"x in {SCT 'a', LOINC 'b'}", "(in x (list (coding SCT 'a') (coding LOINC 'b')))"},
      {"x in DIABETES", "(in x DIABETES)"},
      {"SCT 'a' = x and b", "(and (= (coding SCT 'a') x) b)"},
  });
}

TEST_CASE("if, case, Coalesce calls, lists, parentheses and comments", "[grammar][expression]") {
  check_accepted({
      // if: all three parts are whole expressions.
      {"if a then 1 else 2", "(if a 1 2)"},
      {"if a and b then x + 1 else x - 1", "(if (and a b) (+ x 1) (- x 1))"},
      {"if a then if b then 1 else 2 else 3", "(if a (if b 1 2) 3)"},
      {"if a then 1 else if b then 2 else 3", "(if a 1 (if b 2 3))"},
      {"if a then 1 else 2 + 3", "(if a 1 (+ 2 3))"},
      {"(if a then 1 else 2) + 3", "(+ (if a 1 2) 3)"},
      {"if(a)then(1)else(2)", "(if a 1 2)"},
      {"if\n  a\nthen\n  1\nelse\n  2", "(if a 1 2)"},
      // case without a subject: when conditions.
      {"case when a then 1 else 2 end", "(case a 1 2)"},
      {"case when a then 1 when b then 2 else 3 end", "(case a 1 b 2 3)"},
      {"case when a or b then x else y end", "(case (or a b) x y)"},
      // case with a subject: when values.
      {"case x when 1 then 'one' else 'many' end", "(case-subject x 1 'one' 'many')"},
      {"case x when 1 then 'one' when 2 then 'two' else 'many' end",
       "(case-subject x 1 'one' 2 'two' 'many')"},
      {"case x + 1 when 2 then true else false end", "(case-subject (+ x 1) 2 true false)"},
      {"case (a) when true then 1 else 2 end", "(case-subject a true 1 2)"},
      {"case whenever when true then 1 else 2 end", "(case-subject whenever true 1 2)"},
      {"case when a then case x when 1 then 2 else 3 end else 4 end",
       "(case a (case-subject x 1 2 3) 4)"},
      {"(case when a then 1 else 2 end) * 2", "(* (case a 1 2) 2)"},
      // Calls: any function name parses (the checker knows only Coalesce).
      {"Coalesce(a, b, 1)", "(call Coalesce a b 1)"},
      {"Coalesce(a)", "(call Coalesce a)"},
      {"Coalesce()", "(call Coalesce)"},
      {"Coalesce (a, b)", "(call Coalesce a b)"},
      {"Coalesce( a ,\n b )", "(call Coalesce a b)"},
      {"Coalesce(a, Coalesce(b, c)) + 1", "(+ (call Coalesce a (call Coalesce b c)) 1)"},
      {"Coalesce(a or b, x in {1})", "(call Coalesce (or a b) (in x (list 1)))"},
      {"Max(1, 2)", "(call Max 1 2)"},
      // Lists.
      {"{}", "(list)"},
      {"{ }", "(list)"},
      {"{1}", "(list 1)"},
      {"{1, 2, 3}", "(list 1 2 3)"},
      {"{'a', 'b'}", "(list 'a' 'b')"},
      {"x in {1 + 1, -2}", "(in x (list (+ 1 1) (- 2)))"},
      {"{ {1}, {} }", "(list (list 1) (list))"},
      {"{\n  1,\n  2\n}", "(list 1 2)"},
      // Parentheses leave no trace in the AST.
      {"(a)", "a"},
      {"((a))", "a"},
      {"( a )", "a"},
      {"(a or b) and c", "(and (or a b) c)"},
      {"a or (b and c)", "(or a (and b c))"},
      {"a implies (b implies c)", "(implies a (implies b c))"},
      {"(1 - 2) - 3", "(- (- 1 2) 3)"},
      {"1 - (2 - 3)", "(- 1 (- 2 3))"},
      {"-(1 + 2)", "(- (+ 1 2))"},
      // Comments and white space anywhere between tokens.
      {"a /* c */ and b", "(and a b)"},
      {"a/**/and/**/b", "(and a b)"},
      {"a and // line comment\n b", "(and a b)"},
      {"/* lead */ a", "a"},
      {"// lead\na", "a"},
      {"a // trailing", "a"},
      {"a /* trailing */", "a"},
      {"a and b // end", "(and a b)"},
      {"a /* multi\nline */ or b", "(or a b)"},
      {"a /* // */ or b", "(or a b)"},
      {"1 // 2", "1"},
      {"1 / /* c */ 2", "(/ 1 2)"},
      {"1 /* * */ * 2", "(* 1 2)"},
      {"f(/* none */)", "(call f)"},
      {"{1 /* one */, 2 // two\n}", "(list 1 2)"},
      {"  a  ", "a"},
      {"\ta\r\n", "a"},
      {"a\n=\nb", "(= a b)"},
      {"a\r\nand\r\nb", "(and a b)"},
  });
}

TEST_CASE("identifiers: reserved words are whole words only", "[grammar][expression]") {
  check_accepted({
      {"_x", "_x"},
      {"x1_y2", "x1_y2"},
      {"android and ortho", "(and android ortho)"},
      {"notable", "notable"},
      {"island is null", "(is null island)"},
      {"divisor div 2", "(div divisor 2)"},
      {"modest mod 2", "(mod modest 2)"},
      {"iffy", "iffy"},
      {"cases", "cases"},
      {"ending", "ending"},
      {"weekly", "weekly"},
      {"daysx", "daysx"},
      {"Days", "Days"},
      {"and1", "and1"},
      {"a and(b)", "(and a b)"},
      {"excluded or coverages", "(or excluded coverages)"},
      // The recommendation's optional clause words are names outside their clause.
      {"summary and indicator", "(and summary indicator)"},
  });
  // Words that are reserved: none of them can be a name.
  for (const char* word :
       {"and",          "or",     "xor",     "not",       "implies",   "is",
        "between",      "in",     "if",      "then",      "else",      "case",
        "when",         "end",    "div",     "mod",       "guideline", "title",
        "version",      "source", "fact",    "parameter", "define",    "recommendation",
        "kind",         "text",   "cite",    "evidence",  "carry",     "millisecond",
        "milliseconds", "second", "seconds", "minute",    "minutes",   "hour",
        "hours",        "day",    "days",    "week",      "weeks",     "month",
        "months",       "year",   "years",   "excludes",  "coverage",  "report"}) {
    INFO("reserved word: " << word);
    const ParsedExpression parsed = parse(std::string("x = ") + word);
    CHECK_FALSE(parsed.dump.has_value());
    CHECK(parsed.diagnostics.size() == 1);
    const ParsedExpression suffixed = parse(std::string(word) + "_1");
    REQUIRE(suffixed.dump.has_value());
    CHECK(*suffixed.dump == std::string(word) + "_1");
  }
  // Type names are not reserved: they are ordinary names in expressions.
  for (const char* word : {"boolean", "integer", "decimal", "string", "duration", "mass", "length",
                           "volume", "quantity", "code"}) {
    INFO("type name: " << word);
    const ParsedExpression parsed = parse(word);
    REQUIRE(parsed.dump.has_value());
    CHECK(*parsed.dump == word);
  }
}

namespace {

struct Rejected {
  const char* input;
  const char* message;  // a substring of the message (the whole message, where it fits)
  std::uint32_t line;
  std::uint32_t column;
  const char* code = "E0101";
};

}  // namespace

// Every message of grammar/errors.hpp that can occur in an expression. (The messages about
// declarations, and `unterminated text`, cannot: double-quoted texts are not expressions.)
TEST_CASE("syntax errors in expressions: message and column", "[grammar][expression][errors]") {
  const std::vector<Rejected> rows = {
      // expected_expression
      {"", "expected an expression; found the end of the file", 1, 1},
      {"   ", "expected an expression; found the end of the file", 1, 4},
      {"// only a comment", "expected an expression; found the end of the file", 1, 18},
      {"(", "expected an expression; found the end of the file", 1, 2},
      {"()", "expected an expression; found `)`", 1, 2},
      {"{1, }", "expected an expression; found `}`", 1, 5},
      {"Coalesce(a,)", "expected an expression; found `)`", 1, 12},
      {"if then 1 else 2", "expected an expression; found `then`", 1, 4},
      {"if a then else 2", "expected an expression; found `else`", 1, 11},
      {"if a then 1 else", "expected an expression; found the end of the file", 1, 17},
      {"case when then 1 else 2 end", "expected an expression; found `then`", 1, 11},
      {"\"text\"", "expected an expression; found `\"`", 1, 1},
      {".5", "expected an expression; found `.5`", 1, 1},
      {"when", "expected an expression; found `when`", 1, 1},
      {"\xC3\xA9", "expected an expression; found `\xC3\xA9`", 1, 1},
      // operand_of<...>: after each binary and prefix operator.
      {"a implies", "expected an expression after the operator; found the end of the file", 1, 10},
      {"a or", "expected an expression after the operator; found the end of the file", 1, 5},
      {"a xor )", "expected an expression after the operator; found `)`", 1, 7},
      {"a and", "expected an expression after the operator; found the end of the file", 1, 6},
      {"a and )", "expected an expression after the operator; found `)`", 1, 7},
      {"x in", "expected an expression after the operator; found the end of the file", 1, 5},
      {"a =", "expected an expression after the operator; found the end of the file", 1, 4},
      {"1 = = 2", "expected an expression after the operator; found `=`", 1, 5},
      {"a != ", "expected an expression after the operator; found the end of the file", 1, 6},
      {"a ~", "expected an expression after the operator; found the end of the file", 1, 4},
      {"a !~ ]", "expected an expression after the operator; found `]`", 1, 6},
      {"a <", "expected an expression after the operator; found the end of the file", 1, 4},
      {"a <=", "expected an expression after the operator; found the end of the file", 1, 5},
      {"a > then", "expected an expression after the operator; found `then`", 1, 5},
      {"a >=", "expected an expression after the operator; found the end of the file", 1, 5},
      {"x between", "expected an expression after the operator; found the end of the file", 1, 10},
      {"x between and 2", "expected an expression after the operator; found `and`", 1, 11},
      {"x between 1 and", "expected an expression after the operator; found the end of the file", 1,
       16},
      {"1 +   ", "expected an expression after the operator; found the end of the file", 1, 7},
      {"1 -", "expected an expression after the operator; found the end of the file", 1, 4},
      {"1 *", "expected an expression after the operator; found the end of the file", 1, 4},
      {"1 / ,", "expected an expression after the operator; found `,`", 1, 5},
      {"1 div", "expected an expression after the operator; found the end of the file", 1, 6},
      {"1 mod", "expected an expression after the operator; found the end of the file", 1, 6},
      {"-", "expected an expression after the operator; found the end of the file", 1, 2},
      {"+", "expected an expression after the operator; found the end of the file", 1, 2},
      {"not", "expected an expression after the operator; found the end of the file", 1, 4},
      {"not not", "expected an expression after the operator; found the end of the file", 1, 8},
      {"x = \xC3\xA9", "expected an expression after the operator; found `\xC3\xA9`", 1, 5},
      {"a and\n\n  )", "expected an expression after the operator; found `)`", 3, 3},
      // expected_close_paren
      {"(a", "expected `)`; found the end of the file", 1, 3},
      {"(a b)", "expected `)`; found `b`", 1, 4},
      {"((a)", "expected `)`; found the end of the file", 1, 5},
      {"Coalesce(a b)", "expected `)`; found `b`", 1, 12},
      {"Coalesce(", "expected `)`; found the end of the file", 1, 10},
      {"Coalesce(a}", "expected `)`; found `}`", 1, 11},
      // expected_close_brace
      {"{1 2}", "expected `}`; found `2`", 1, 4},
      {"{", "expected `}`; found the end of the file", 1, 2},
      {"x in {1, 2)", "expected `}`; found `)`", 1, 11},
      // expected_then
      {"if a 1 else 2", "expected `then`; found `1`", 1, 6},
      {"if a", "expected `then`; found the end of the file", 1, 5},
      {"case when a 1 else 2 end", "expected `then`; found `1`", 1, 13},
      // expected_else
      {"if a then 1", "expected `else`; CQL requires an `else` branch; found the end of the file",
       1, 12},
      {"case when a then 1 end", "expected `else`; CQL requires an `else` branch; found `end`", 1,
       20},
      {"case when true then 1 end", "expected `else`; CQL requires an `else` branch; found `end`",
       1, 23},
      // expected_end
      {"case when a then 1 else 2", "expected `end` to close the `case`; found the end of the file",
       1, 26},
      {"case when a then 1 else 2 fin", "expected `end` to close the `case`; found `fin`", 1, 27},
      // expected_case_item
      {"case", "expected `when` after `case`; found the end of the file", 1, 5},
      {"case else 1 end", "expected `when` after `case`; found `else`", 1, 6},
      {"case x then 1 else 2 end", "expected `when` after `case`; found `then`", 1, 8},
      {"case x 1", "expected `when` after `case`; found `1`", 1, 8},
      // expected_test
      {"a is 5", "expected `null`, `true` or `false` after `is`; found `5`", 1, 6},
      {"a is not 5", "expected `null`, `true` or `false` after `is`; found `5`", 1, 10},
      {"a is", "expected `null`, `true` or `false` after `is`; found the end of the file", 1, 5},
      {"a is not", "expected `null`, `true` or `false` after `is`; found the end of the file", 1,
       9},
      {"a is nothing", "expected `null`, `true` or `false` after `is`; found `nothing`", 1, 6},
      // expected_between_and
      {"x between 1 or 2", "expected `and` between the bounds of `between`; found `or`", 1, 13},
      {"x between 1", "expected `and` between the bounds of `between`; found the end of the file",
       1, 12},
      {"x between 1 < 2 and 3", "expected `and` between the bounds of `between`; found `<`", 1, 13},
      // expected_end_of_input
      {"a b", "unexpected text after the expression; found `b`", 1, 3},
      {"1 2", "unexpected text after the expression; found `2`", 1, 3},
      {"5.", "unexpected text after the expression; found `.`", 1, 2},
      {"3 dayz", "unexpected text after the expression; found `dayz`", 1, 3},
      {"a & b", "unexpected text after the expression; found `&`", 1, 3},
      {"a )", "unexpected text after the expression; found `)`", 1, 3},
      {"a ; b", "unexpected text after the expression; found `;`", 1, 3},
      {"a == b", "expected an expression after the operator; found `=`", 1, 4},
      {"'\xC3\xA9' = b c", "unexpected text after the expression; found `c`", 1, 9},
      // Only spaces and tabs may separate a number from its unit, and a function name from
      // its `(`.
      {"3\ndays", "unexpected text after the expression; found `days`", 2, 1},
      {"Coalesce\n(a)", "unexpected text after the expression; found `(`", 2, 1},
      // unterminated_block_comment and unterminated_string: E0103.
      // An unterminated block comment is reported at its `/*`.
      {"a /* x", "unterminated block comment; add `*/`", 1, 3, "E0103"},
      {"a /* x */ /* y", "unterminated block comment; add `*/`", 1, 11, "E0103"},
      {"/*", "unterminated block comment; add `*/`", 1, 1, "E0103"},
      {"a /* x\n\n", "unterminated block comment; add `*/`", 1, 3, "E0103"},
      // Strings end on their line: the error is where the line (or the input) ends.
      {"'abc\\", "unterminated string; add the closing `'` on the same line", 1, 5, "E0103"},
      {"'abc", "unterminated string; add the closing `'` on the same line", 1, 5, "E0103"},
      {"'two\nlines'", "unterminated string; add the closing `'` on the same line", 1, 5, "E0103"},
      {"x = 'a\\\nb'", "unterminated string; add the closing `'` on the same line", 1, 7, "E0103"},
      {"3 'mg", "unterminated string; add the closing `'` on the same line", 1, 6, "E0103"},
  };
  for (const Rejected& row : rows) {
    INFO("input: " << row.input);
    const ParsedExpression parsed = parse(row.input);
    INFO(parsed.formatted);
    CHECK_FALSE(parsed.dump.has_value());
    REQUIRE(parsed.diagnostics.size() == 1);
    const rubric::Diagnostic& diagnostic = parsed.diagnostics.front();
    CHECK(diagnostic.severity == rubric::Severity::error);
    CHECK(diagnostic.code == row.code);
    CHECK_THAT(diagnostic.message, Catch::Matchers::Contains(row.message));
    CHECK(parsed.positions.front().line == row.line);
    CHECK(parsed.positions.front().column == row.column);
  }
}

TEST_CASE("a reserved word where a name belongs is called one", "[grammar][errors]") {
  const ParsedExpression parsed = parse("x = when");
  REQUIRE(parsed.diagnostics.size() == 1);
  CHECK(parsed.diagnostics.front().message ==
        "expected an expression after the operator; found `when`, a reserved word");
  // Not for other words.
  const ParsedExpression other = parse("x y");
  REQUIRE(other.diagnostics.size() == 1);
  CHECK(other.diagnostics.front().message == "unexpected text after the expression; found `y`");
}

TEST_CASE("a syntax error is formatted with the source line and a caret", "[grammar][errors]") {
  CHECK(parse("(a b)").formatted ==
        "<expression>:1:4: error[E0101]: expected `)`; found `b`\n"
        "  |\n"
        "1 | (a b)\n"
        "  |    ^\n");
  // The caret of an unterminated comment covers its `/*`.
  CHECK(parse("a or /* b").formatted ==
        "<expression>:1:6: error[E0103]: unterminated block comment; add `*/`\n"
        "  |\n"
        "1 | a or /* b\n"
        "  |      ^~\n");
  // At the end of the input the caret stands after the last character.
  CHECK(parse("a and").formatted ==
        "<expression>:1:6: error[E0101]: expected an expression after the operator; found the "
        "end of the file\n"
        "  |\n"
        "1 | a and\n"
        "  |      ^\n");
}

// Regression: a string left open to the end of the input used to be accepted, the end of the
// input closing it (`'abc` parsed as the string 'ab', with no diagnostic).
TEST_CASE("a string without its closing quote at the end of the input is an error",
          "[grammar][errors]") {
  const ParsedExpression parsed = parse("'abc");
  INFO(parsed.formatted);
  CHECK_FALSE(parsed.dump.has_value());
  REQUIRE(parsed.diagnostics.size() == 1);
  CHECK(parsed.diagnostics.front().code == "E0103");
  CHECK_THAT(parsed.diagnostics.front().message,
             Catch::Matchers::Contains("unterminated string; add the closing `'`"));
  CHECK(parsed.formatted ==
        "<expression>:1:5: error[E0103]: unterminated string; add the closing `'` on the same "
        "line\n"
        "  |\n"
        "1 | 'abc\n"
        "  |     ^\n");
  // The same through a quantity's unit.
  const ParsedExpression unit = parse("3 'mg");
  INFO(unit.formatted);
  CHECK_FALSE(unit.dump.has_value());
  REQUIRE(unit.diagnostics.size() == 1);
  CHECK(unit.diagnostics.front().code == "E0103");
}

namespace {

// Whether `text` is well-formed UTF-8 (no surrogates, no overlong forms).
bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 1;
    std::uint32_t code = byte;
    std::uint32_t minimum = 0;
    if (byte >= 0xF0U && byte <= 0xF4U) {
      length = 4;
      code = byte & 0x07U;
      minimum = 0x10000U;
    } else if (byte >= 0xE0U && byte <= 0xEFU) {
      length = 3;
      code = byte & 0x0FU;
      minimum = 0x800U;
    } else if (byte >= 0xC2U && byte <= 0xDFU) {
      length = 2;
      code = byte & 0x1FU;
      minimum = 0x80U;
    } else if (byte >= 0x80U) {
      return false;
    }
    if (i + length > text.size()) {
      return false;
    }
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0U) != 0x80U) {
        return false;
      }
      code = (code << 6U) | (next & 0x3FU);
    }
    if (code < minimum || code > 0x10FFFFU || (code >= 0xD800U && code <= 0xDFFFU)) {
      return false;
    }
    i += length;
  }
  return true;
}

}  // namespace

// Regression: `\uXXXX` escapes were encoded one by one, so a UTF-16 surrogate pair became two
// 3-byte encodings of surrogates, which is not UTF-8. A lone surrogate is now error E0111.
TEST_CASE("a \\u surrogate pair unescapes to one UTF-8 character", "[grammar]") {
  const ParsedExpression pair = parse(R"('\uD83D\uDE00')");
  REQUIRE(pair.dump.has_value());
  CHECK(*pair.dump == "'\xF0\x9F\x98\x80'");  // U+1F600
  // A lone surrogate is not a character: an error, or at least not invalid UTF-8.
  for (const char* lone : {R"('\uD83D')", R"('\uDE00')", R"('\uD83D\u0041')"}) {
    INFO("input: " << lone);
    const ParsedExpression parsed = parse(lone);
    CHECK((!parsed.dump.has_value() || valid_utf8(*parsed.dump)));
  }
}
