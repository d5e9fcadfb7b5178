// Tests of the TokenStream parse_module hands over (dsl/parser.hpp): the tokens and comments of
// a file exactly as the grammar matched them, which the formatter lays out instead of lexing the
// text itself. Table-driven: for inputs where a lexer written apart from the grammar would go
// wrong (comment markers inside strings and texts, `4.5`, two-character operators, units with a
// `/`, comments next to each other, comments where the parser backtracks), the stream is the one
// written here by hand, covers the text, and `fmt` prints the hand-written layout.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/diagnostic.hpp"
#include "dsl/formatter.hpp"
#include "dsl/parser.hpp"
#include "dsl/source.hpp"
#include "support.hpp"

namespace {

namespace fs = std::filesystem;

struct Lexemes {
  std::vector<std::string> tokens;    // the text of each token; `(`/`)` as open/close below
  std::vector<std::string> comments;  // the text of each comment, `//` ones marked `line:`
  std::vector<std::string> parens;    // `(` and `)` tokens, in order, from their kind
  std::string diagnostics;
  bool has_errors = false;
  std::string coverage;  // what breaks the contract's coverage rules, empty when none
};

// The contract's layout rules: in source order, no overlaps, only whitespace outside.
std::string coverage_errors(std::string_view text, const rubric::TokenStream& stream) {
  struct Span {
    std::uint32_t offset;
    std::uint32_t end;
  };
  std::vector<Span> spans;
  for (const rubric::SourceToken& token : stream.tokens) {
    spans.push_back({token.offset, token.end});
  }
  std::size_t token_count = spans.size();
  for (std::size_t i = 1; i < token_count; ++i) {
    if (spans[i].offset < spans[i - 1].end) {
      return "tokens out of order or overlapping at " + std::to_string(spans[i].offset);
    }
  }
  for (std::size_t i = 1; i < stream.comments.size(); ++i) {
    if (stream.comments[i].offset < stream.comments[i - 1].end) {
      return "comments out of order at " + std::to_string(stream.comments[i].offset);
    }
  }
  for (const rubric::SourceComment& comment : stream.comments) {
    spans.push_back({comment.offset, comment.end});
  }
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.offset < b.offset; });
  std::size_t at = 0;
  for (const Span& span : spans) {
    if (span.offset < at || span.end <= span.offset || span.end > text.size()) {
      return "bad or overlapping span at " + std::to_string(span.offset);
    }
    for (; at < span.offset; ++at) {
      if (std::string_view(" \t\n\r\v\f").find(text[at]) == std::string_view::npos) {
        return "byte " + std::to_string(at) + " is in no token or comment";
      }
    }
    at = span.end;
  }
  for (; at < text.size(); ++at) {
    if (std::string_view(" \t\n\r\v\f").find(text[at]) == std::string_view::npos) {
      return "byte " + std::to_string(at) + " is in no token or comment";
    }
  }
  return "";
}

Lexemes lex(const std::string& text) {
  rubric::SourceManager sources;
  const rubric::FileId file = sources.add("tokens.rubric", text);
  rubric::Diagnostics diagnostics;
  rubric::TokenStream stream;
  (void)rubric::parse_module(sources, file, diagnostics, &stream);
  Lexemes out;
  out.diagnostics = rubric::format_diagnostics(sources, diagnostics);
  out.has_errors = diagnostics.has_errors();
  for (const rubric::SourceToken& token : stream.tokens) {
    out.tokens.push_back(text.substr(token.offset, token.end - token.offset));
    if (token.kind == rubric::TokenKind::open_paren) {
      out.parens.emplace_back("open");
    } else if (token.kind == rubric::TokenKind::close_paren) {
      out.parens.emplace_back("close");
    }
  }
  for (const rubric::SourceComment& comment : stream.comments) {
    out.comments.push_back((comment.line_comment ? "line:" : "block:") +
                           text.substr(comment.offset, comment.end - comment.offset));
  }
  out.coverage = coverage_errors(text, stream);
  return out;
}

std::optional<std::string> format(const std::string& text) {
  rubric::SourceManager sources;
  const rubric::FileId file = sources.add("tokens.rubric", text);
  rubric::Diagnostics diagnostics;
  return rubric::format_source(sources, file, diagnostics);
}

using Words = std::vector<std::string>;

struct Case {
  const char* name;
  std::string input;
  Words tokens;
  Words comments;
  std::string formatted;
};

}  // namespace

TEST_CASE("the token stream is the grammar's tokens and comments, and fmt lays them out",
          "[tokens][formatter]") {
  const std::vector<Case> cases{
      {"comment markers inside a string and a text",
       "define s = 'a // b' + '/* c */' \"a // text /* too\"\n",
       {"define", "s", "=", "'a // b'", "+", "'/* c */'", "\"a // text /* too\""},
       {},
       "define s = 'a // b' + '/* c */'\n  \"a // text /* too\"\n"},
      {"escaped quotes do not end a string",
       "define q = 'it\\'s // here' = 'x' \"say \\\"/*\\\"\"\n",
       {"define", "q", "=", "'it\\'s // here'", "=", "'x'", "\"say \\\"/*\\\"\""},
       {},
       "define q = 'it\\'s // here' = 'x'\n  \"say \\\"/*\\\"\"\n"},
      {"numbers with and without a fraction",
       "define n = 4.5+4 - 0.25*10 div 3\n",
       {"define", "n", "=", "4.5", "+", "4", "-", "0.25", "*", "10", "div", "3"},
       {},
       "define n = 4.5 + 4 - 0.25 * 10 div 3\n"},
      {"two-character operators",
       "define c = a!~b and x<=1 and y>=2 and a!=b and a~b and x<y and y>x and x=y\n",
       {"define", "c", "=",   "a", "!~", "b", "and", "x", "<=", "1", "and", "y",
        ">=",     "2", "and", "a", "!=", "b", "and", "a", "~",  "b", "and", "x",
        "<",      "y", "and", "y", ">",  "x", "and", "x", "=",  "y"},
       {},
       "define c = a !~ b and x <= 1 and y >= 2 and a != b and a ~ b and x < y and y > x and x = "
       "y\n"},
      {"a comparison with a negative number",
       "define m = x<-1\n",
       {"define", "m", "=", "x", "<", "-", "1"},
       {},
       "define m = x < -1\n"},
      {"quantities: a number and a unit, the unit a string or a calendar word",
       "fact g: quantity 'mg/dL'\ndefine u = g > 4 'mg/dL' or 2weeks < 3 'mg/dL'\n",
       {"fact", "g", ":", "quantity", "'mg/dL'", "define", "u", "=", "g", ">", "4", "'mg/dL'", "or",
        "2", "weeks", "<", "3", "'mg/dL'"},
       {},
       "fact g: quantity 'mg/dL'\n\ndefine u = g > 4 'mg/dL' or 2 weeks < 3 'mg/dL'\n"},
      {"comments next to each other on one line",
       "define d = /* a */ /* b */ x // c /* not a block\n",
       {"define", "d", "=", "x"},
       {"block:/* a */", "block:/* b */", "line:// c /* not a block"},
       "define d = /* a */ /* b */ x // c /* not a block\n"},
      {"block comments do not nest",
       "define d = x /* a /* b */ + y /* // c */\n",
       {"define", "d", "=", "x", "+", "y"},
       {"block:/* a /* b */", "block:/* // c */"},
       "define d = x /* a /* b */ + y /* // c */\n"},
      {"a comment where the parser tries an operator and backtracks",
       "define d = a // why\n  or b /* c */\n",
       {"define", "d", "=", "a", "or", "b"},
       {"line:// why", "block:/* c */"},
       "define d =\n  a // why\n    or b /* c */\n"},
      {"`is not` is two tokens with a comment between them",
       "define t = x is /* c */ not null\n",
       {"define", "t", "=", "x", "is", "not", "null"},
       {"block:/* c */"},
       "define t = x is /* c */ not null\n"},
      {"a call, a name that could start one, parentheses, a list",
       "define f = Coalesce (a, (b)) + {1,2}\n",
       {"define", "f", "=", "Coalesce", "(", "a", ",", "(", "b", ")", ")", "+", "{", "1", ",", "2",
        "}"},
       {},
       "define f = Coalesce(a, b) + {1, 2}\n"},
      {"a kind is one token; citations and source numbers are numbers",
       "source 12 \"s\"\nrecommendation r kind follow-up text \"t\" cite 12, 3 when x\n",
       {"source", "12", "\"s\"", "recommendation", "r", "kind", "follow-up", "text", "\"t\"",
        "cite", "12", ",", "3", "when", "x"},
       {},
       "source 12 \"s\"\n\nrecommendation r\n  kind follow-up\n  text \"t\"\n  cite 12, 3\n"
       "  when x\n"},
      {"CR LF: a line comment ends before its line break; one at the end of the file",
       "// head\r\ndefine d = x\r\n// tail",
       {"define", "d", "=", "x"},
       {"line:// head", "line:// tail"},
       "// head\ndefine d = x\n// tail\n"},
      {"keywords are whole words",
       "define w = andy or notx or x between 1 and 2 or x in {1}\n",
       {"define", "w", "=", "andy", "or", "notx", "or", "x", "between", "1", "and", "2", "or", "x",
        "in", "{", "1", "}"},
       {},
       "define w = andy or notx or x between 1 and 2 or x in {1}\n"},
  };
  for (const Case& c : cases) {
    INFO("case: " << c.name << "\ninput:\n" << c.input);
    const Lexemes lexemes = lex(c.input);
    INFO(lexemes.diagnostics);
    REQUIRE(!lexemes.has_errors);
    CHECK(lexemes.tokens == c.tokens);
    CHECK(lexemes.comments == c.comments);
    CHECK(lexemes.coverage.empty());
    const std::optional<std::string> formatted = format(c.input);
    REQUIRE(formatted.has_value());
    CHECK(*formatted == c.formatted);
  }
}

TEST_CASE("parentheses tokens are marked open and close; no other token is", "[tokens]") {
  const Lexemes lexemes = lex("define p = ((a) + f(b)) * {(c)} /* ( */ + ')' \"(\"\n");
  INFO(lexemes.diagnostics);
  REQUIRE(!lexemes.has_errors);
  CHECK(lexemes.parens ==
        Words{"open", "open", "close", "open", "close", "close", "open", "close"});
  CHECK(lexemes.coverage.empty());
}

TEST_CASE("a number ends at a dot that no digit follows: `4.` is a syntax error", "[tokens]") {
  const Lexemes lexemes = lex("define n = 4.\n");
  CHECK(lexemes.has_errors);
  CHECK(lexemes.diagnostics.find("E0101") != std::string::npos);
  CHECK(!format("define n = 4.\n").has_value());
}

TEST_CASE("the token stream covers every golden file, guideline and the seed", "[tokens]") {
  std::vector<fs::path> files;
  const fs::path root(RUBRIC_SOURCE_DIR);
  for (const fs::path& directory : {root / "tests" / "golden" / "fmt", root / "guidelines"}) {
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(directory)) {
      if (entry.is_regular_file() && entry.path().extension() == ".rubric") {
        files.push_back(entry.path());
      }
    }
  }
  REQUIRE(files.size() >= 20);
  for (const fs::path& file : files) {
    INFO("file: " << file.string());
    const Lexemes lexemes = lex(rubric::testing::read_text(file));
    if (lexemes.has_errors) {
      continue;  // no contract for a file with syntax errors
    }
    CHECK(lexemes.coverage.empty());
  }
}

TEST_CASE("a stream passed in is replaced, not appended to", "[tokens]") {
  rubric::SourceManager sources;
  const rubric::FileId file = sources.add("a.rubric", "define d = x // c\n");
  rubric::TokenStream stream;
  stream.tokens.push_back({100, 200, rubric::TokenKind::other});
  stream.comments.push_back({300, 400, false});
  rubric::Diagnostics diagnostics;
  (void)rubric::parse_module(sources, file, diagnostics, &stream);
  CHECK(stream.tokens.size() == 4);
  REQUIRE(stream.comments.size() == 1);
  CHECK(stream.comments[0].offset == 13);
  CHECK(stream.comments[0].end == 17);
  CHECK(stream.comments[0].line_comment);
}
