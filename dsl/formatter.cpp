// The formatter: AST -> layout document (Wadler-style: text, lines, nests, groups) -> text.
//
// Comments are not in the AST. The parser hands over every token and comment of the source as
// the grammar matched them (TokenStream, dsl/parser.hpp: the formatter has no lexer of its
// own); each comment is attached to a token: own-line and inline comments before the token that
// follows them, trailing comments after the token that precedes them. While the printer builds
// the document in source order it matches each token it prints to the next source token (the
// AST drops parentheses, so unprinted parentheses are skipped), and hangs the comments of the
// tokens it consumed on the printed token. A group (a unit that is printed on one line when it
// fits) that holds a comment which must end a line is always broken.
#include "dsl/formatter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/parser.hpp"

namespace rubric {
namespace {

constexpr int kWidth = static_cast<int>(kFormatWidth);
// Continuation lines of an expression, and the clauses of a declaration, are indented by 2.
constexpr int kIndent = 2;

// ---- Tokens and comments -----------------------------------------------------------------

// A source token (from the parser's TokenStream), with the blank lines before it.
struct Token {
  std::uint32_t offset = 0;
  std::uint32_t end = 0;
  TokenKind kind = TokenKind::other;
  bool blank_before = false;  // an empty line between the previous token or comment and this
};

enum class CommentKind : std::uint8_t {
  own_line,        // alone on its line(s)
  inline_comment,  // a block comment followed by code on the same line
  trailing,        // after code, at the end of its line
};

// A comment as the formatter prints it: comments of the TokenStream that follow each other on
// one line with no token between them are one comment (`/* a */ // b`).
struct Comment {
  std::uint32_t offset = 0;
  std::uint32_t end = 0;
  std::string text;
  bool line_comment = false;
  bool blank_before = false;
  CommentKind kind = CommentKind::own_line;
};

constexpr std::string_view kBlanks = " \t\n\r\v\f";

std::string trim_right(std::string_view text) {
  const std::size_t last = text.find_last_not_of(kBlanks);
  return std::string(text.substr(0, last == std::string_view::npos ? 0 : last + 1));
}

// A block comment's text with LF line breaks and no blanks at the ends of its lines.
std::string block_comment_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    const bool last = end == std::string_view::npos;
    out += trim_right(text.substr(start, (last ? text.size() : end) - start));
    if (last) {
      break;
    }
    out += '\n';
    start = end + 1;
  }
  return out;
}

struct Lexed {
  std::vector<Token> tokens;
  std::vector<Comment> comments;  // in source order
};

// The tokens and comments the parser read (the grammar's; see TokenStream in dsl/parser.hpp),
// as the formatter prints them.
Lexed make_lexed(std::string_view text, const TokenStream& stream) {
  Lexed lexed;
  lexed.tokens.reserve(stream.tokens.size());
  for (const SourceToken& token : stream.tokens) {
    lexed.tokens.push_back({token.offset, token.end, token.kind, false});
  }
  std::size_t token = 0;  // the first token after the comment
  std::size_t tokens_at_last_comment = 0;
  for (const SourceComment& source : stream.comments) {
    while (token < stream.tokens.size() && stream.tokens[token].offset < source.offset) {
      ++token;
    }
    Comment comment;
    comment.offset = source.offset;
    comment.end = source.end;
    comment.line_comment = source.line_comment;
    const std::string_view written = text.substr(source.offset, source.end - source.offset);
    comment.text = source.line_comment ? trim_right(written) : block_comment_text(written);
    // Comments that follow each other on one line are one comment: `/* a */ // b`.
    if (!lexed.comments.empty() && tokens_at_last_comment == token &&
        text.substr(lexed.comments.back().end, comment.offset - lexed.comments.back().end)
                .find('\n') == std::string_view::npos) {
      Comment& previous = lexed.comments.back();
      previous.text += ' ';
      previous.text += comment.text;
      previous.end = comment.end;
      previous.line_comment = comment.line_comment;
    } else {
      lexed.comments.push_back(std::move(comment));
    }
    tokens_at_last_comment = token;
  }
  return lexed;
}

bool has_line_break(std::string_view text, std::size_t from, std::size_t to) {
  return to > from && text.substr(from, to - from).find('\n') != std::string_view::npos;
}

bool has_blank_line(std::string_view text, std::size_t from, std::size_t to) {
  if (to <= from) {
    return false;
  }
  const std::string_view between = text.substr(from, to - from);
  return std::count(between.begin(), between.end(), '\n') >= 2;
}

bool is_chain_keyword(std::string_view token) {
  return token == "and" || token == "or" || token == "xor" || token == "implies";
}

// Where each comment goes: before a token (`leading`), after a token (`after`) or, when no
// token follows, at the end of the file (`at_end`).
struct Attachments {
  std::vector<std::vector<std::uint32_t>> leading;
  std::vector<std::vector<std::uint32_t>> after;
  std::vector<std::uint32_t> at_end;
};

Attachments attach(Lexed& lexed, std::string_view text) {
  std::vector<Token>& tokens = lexed.tokens;
  Attachments attachments;
  attachments.leading.resize(tokens.size());
  attachments.after.resize(tokens.size());

  // Blank lines before every token and comment, from the end of whatever precedes it.
  {
    std::size_t t = 0;
    std::size_t c = 0;
    std::size_t previous_end = 0;
    bool first = true;
    while (t < tokens.size() || c < lexed.comments.size()) {
      const bool token_next = c == lexed.comments.size() ||
                              (t < tokens.size() && tokens[t].offset < lexed.comments[c].offset);
      const std::uint32_t offset = token_next ? tokens[t].offset : lexed.comments[c].offset;
      const bool blank = !first && has_blank_line(text, previous_end, offset);
      if (token_next) {
        tokens[t].blank_before = blank;
        previous_end = tokens[t++].end;
      } else {
        lexed.comments[c].blank_before = blank;
        previous_end = lexed.comments[c++].end;
      }
      first = false;
    }
  }

  std::size_t next = 0;  // the first token at or after the comment
  for (std::uint32_t index = 0; index < lexed.comments.size(); ++index) {
    Comment& comment = lexed.comments[index];
    while (next < tokens.size() && tokens[next].offset < comment.end) {
      ++next;
    }
    const bool has_previous = next > 0;
    const bool has_next = next < tokens.size();
    const bool code_before =
        has_previous && !has_line_break(text, tokens[next - 1].end, comment.offset);
    // A comment over several lines ends its last line: code after it moves to the next line.
    const bool code_after = has_next && comment.text.find('\n') == std::string::npos &&
                            !has_line_break(text, comment.end, tokens[next].offset);
    if (code_after) {
      comment.kind = CommentKind::inline_comment;
      attachments.leading[next].push_back(index);
    } else if (code_before) {
      comment.kind = CommentKind::trailing;
      attachments.after[next - 1].push_back(index);
    } else {
      comment.kind = CommentKind::own_line;
      if (!has_next) {
        attachments.at_end.push_back(index);
      } else {
        attachments.leading[next].push_back(index);
      }
    }
  }
  return attachments;
}

// ---- Literals ------------------------------------------------------------------------------

// A string (quote `'`) or text (quote `"`) with the canonical escapes.
std::string quote(std::string_view value, char quote_char) {
  std::string out(1, quote_char);
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == quote_char || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\f') {
      out += "\\f";
    } else if (byte < 0x20U || byte == 0x7FU) {
      out += fmt::format("\\u{:04X}", static_cast<unsigned>(byte));
    } else {
      out += c;
    }
  }
  out += quote_char;
  return out;
}

// Display width: UTF-8 code points.
int width(std::string_view text) {
  int count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) {
      ++count;
    }
  }
  return count;
}

// ---- The layout document -------------------------------------------------------------------

enum class DocKind : std::uint8_t { text, space, line, softline, hardline, nest, group, concat };

using DocId = std::uint32_t;

struct Piece {
  std::uint32_t comment = 0;
  CommentKind kind = CommentKind::own_line;
};

struct Doc {
  DocKind kind = DocKind::concat;
  bool must_break = false;  // group only
  int indent = 0;           // nest only
  std::string text;         // text only
  std::vector<DocId> children;
  std::vector<Piece> leading;  // comments printed before the text
  std::vector<Piece> after;    // comments printed after the text
};

bool breaks_line(const Comment& comment, CommentKind kind) {
  return kind != CommentKind::inline_comment || comment.text.find('\n') != std::string::npos;
}

bool is_closer(std::string_view text) {
  return text == ")" || text == "}" || text == "," || text == ":";
}

struct Command {
  int indent = 0;
  bool flat = false;
  DocId doc = 0;
};

class Renderer {
 public:
  Renderer(const std::vector<Doc>& docs, const std::vector<Comment>& comments)
      : docs_(docs), comments_(comments) {}

  std::string render(DocId root) {
    stack_.push_back({0, false, root});
    while (!stack_.empty()) {
      const Command command = stack_.back();
      stack_.pop_back();
      const Doc& doc = docs_[command.doc];
      switch (doc.kind) {
        case DocKind::text: text(doc, command.indent); break;
        case DocKind::space: space(); break;
        case DocKind::line:
          if (command.flat) {
            space();
          } else {
            newline(command.indent);
          }
          break;
        case DocKind::softline:
          if (!command.flat) {
            newline(command.indent);
          }
          break;
        case DocKind::hardline: newline(command.indent); break;
        case DocKind::nest:
          for (auto child = doc.children.rbegin(); child != doc.children.rend(); ++child) {
            stack_.push_back({command.indent + doc.indent, command.flat, *child});
          }
          break;
        case DocKind::group: {
          const bool flat = command.flat ||
                            (!doc.must_break && fits({command.indent, true, doc.children.front()}));
          stack_.push_back({command.indent, flat, doc.children.front()});
          break;
        }
        case DocKind::concat:
          for (auto child = doc.children.rbegin(); child != doc.children.rend(); ++child) {
            stack_.push_back({command.indent, command.flat, *child});
          }
          break;
      }
    }
    end_line();
    return out_;
  }

 private:
  [[nodiscard]] int column() const {
    if (!has_content_) {
      return indent_;
    }
    const std::size_t start = out_.rfind('\n');
    return width(std::string_view(out_).substr(start == std::string::npos ? 0 : start + 1));
  }

  // Whether `next`, printed flat, and what follows it up to the next line break fit on the
  // current line.
  bool fits(Command next) const {
    std::vector<Command> local{next};
    std::size_t rest = stack_.size();
    int remaining = kWidth - column();
    bool first = true;  // before the first text
    while (remaining >= 0) {
      if (local.empty()) {
        if (rest == 0) {
          return true;
        }
        local.push_back(stack_[--rest]);
        continue;
      }
      const Command command = local.back();
      local.pop_back();
      const Doc& doc = docs_[command.doc];
      switch (doc.kind) {
        case DocKind::text: {
          for (const Piece& piece : doc.leading) {
            const Comment& comment = comments_[piece.comment];
            if (breaks_line(comment, piece.kind)) {
              // The text goes on a new line (see `text` below).
              remaining = kWidth - (first && !has_content_ ? indent_ : command.indent + kIndent);
              continue;
            }
            remaining -= width(comment.text) + 1;
          }
          first = false;
          const std::size_t break_at = doc.text.find('\n');
          remaining -= width(std::string_view(doc.text).substr(0, break_at));
          if (break_at != std::string::npos || !doc.after.empty()) {
            return remaining >= 0;
          }
          break;
        }
        case DocKind::space: remaining -= 1; break;
        case DocKind::line:
          if (!command.flat) {
            return true;
          }
          remaining -= 1;
          break;
        case DocKind::softline:
          if (!command.flat) {
            return true;
          }
          break;
        case DocKind::hardline: return true;
        case DocKind::nest:
        case DocKind::concat:
          for (auto child = doc.children.rbegin(); child != doc.children.rend(); ++child) {
            local.push_back({command.indent + (doc.kind == DocKind::nest ? doc.indent : 0),
                             command.flat, *child});
          }
          break;
        case DocKind::group:
          local.push_back(
              {command.indent, doc.must_break ? false : command.flat, doc.children.front()});
          break;
      }
    }
    return false;
  }

  void write(std::string_view text) {
    if (!has_content_) {
      out_.append(static_cast<std::size_t>(indent_), ' ');
      has_content_ = true;
    }
    out_ += text;
  }

  void end_line() {
    while (!out_.empty() && (out_.back() == ' ' || out_.back() == '\t')) {
      out_.pop_back();
    }
  }

  void newline(int indent) {
    end_line();
    out_ += '\n';
    indent_ = indent;
    has_content_ = false;
    must_break_ = false;
    ends_with_line_comment_ = false;
  }

  void space() {
    if (must_break_ || !has_content_ || out_.back() == ' ') {
      return;
    }
    out_ += ' ';
  }

  void trailing(const Comment& comment, int fallback) {
    if (!has_content_) {
      own_line(comment, fallback);
      return;
    }
    if (ends_with_line_comment_) {
      newline(fallback);
      write(comment.text);
    } else {
      if (out_.back() != ' ') {
        out_ += ' ';
      }
      out_ += comment.text;
    }
    must_break_ = true;
    ends_with_line_comment_ = comment.line_comment;
  }

  void own_line(const Comment& comment, int fallback) {
    if (has_content_) {
      newline(fallback);
    }
    const int indent = indent_;
    write(comment.text);
    newline(indent);
  }

  void text(const Doc& doc, int indent) {
    // A comment that forces a line break where the layout has none continues the line,
    // indented by one step.
    const int fallback = indent + kIndent;
    bool space_after_comment = false;
    for (const Piece& piece : doc.leading) {
      const Comment& comment = comments_[piece.comment];
      switch (piece.kind) {
        case CommentKind::own_line:
          own_line(comment, fallback);
          space_after_comment = false;
          break;
        case CommentKind::inline_comment:
          if (must_break_) {
            newline(fallback);
          }
          if (has_content_ && out_.back() != ' ' && out_.back() != '(' && out_.back() != '{') {
            out_ += ' ';
          }
          write(comment.text);
          space_after_comment = true;
          break;
        case CommentKind::trailing:
          trailing(comment, fallback);
          space_after_comment = false;
          break;
      }
    }
    if (must_break_) {
      newline(fallback);
    }
    if (space_after_comment && has_content_ && !is_closer(doc.text)) {
      out_ += ' ';
    }
    write(doc.text);
    for (const Piece& piece : doc.after) {
      const Comment& comment = comments_[piece.comment];
      switch (piece.kind) {
        case CommentKind::own_line:
          if (has_content_) {
            newline(fallback);
          }
          write(comment.text);
          must_break_ = true;
          ends_with_line_comment_ = comment.line_comment;
          break;
        case CommentKind::inline_comment:
          if (must_break_) {
            newline(fallback);
          } else {
            out_ += ' ';
          }
          write(comment.text);
          break;
        case CommentKind::trailing: trailing(comment, fallback); break;
      }
    }
  }

  const std::vector<Doc>& docs_;
  const std::vector<Comment>& comments_;
  std::vector<Command> stack_;
  std::string out_;
  int indent_ = 0;
  bool has_content_ = false;
  bool must_break_ = false;
  bool ends_with_line_comment_ = false;
};

// ---- Printing the AST ----------------------------------------------------------------------

// CQL precedence, lowest first (grammar/rubric_grammar.hpp).
int precedence(const ast::Expr& expr) {
  using B = ast::BinaryOperator;
  switch (expr.kind) {
    case ast::ExprKind::binary:
      switch (expr.binary_operator) {
        case B::implies: return 1;
        case B::logical_or:
        case B::logical_xor: return 2;
        case B::logical_and: return 3;
        case B::equal:
        case B::not_equal:
        case B::equivalent:
        case B::not_equivalent: return 5;
        case B::less:
        case B::less_or_equal:
        case B::greater:
        case B::greater_or_equal: return 6;
        case B::add:
        case B::subtract: return 10;
        case B::multiply:
        case B::divide:
        case B::truncated_divide:
        case B::modulo: return 11;
      }
      return 13;
    case ast::ExprKind::membership: return 4;
    case ast::ExprKind::between: return 7;
    case ast::ExprKind::unary:
      return expr.unary_operator == ast::UnaryOperator::logical_not ? 8 : 12;
    case ast::ExprKind::test: return 9;
    default: return 13;
  }
}

constexpr int kOrPrecedence = 2;  // `or` and `xor`
constexpr int kAndPrecedence = 3;
constexpr int kNotPrecedence = 8;
constexpr int kTestPrecedence = 9;
constexpr int kTermPrecedence = 10;
constexpr int kUnaryPrecedence = 12;

bool is_operator_chain(const ast::Expr& expr) {
  return expr.kind == ast::ExprKind::binary || expr.kind == ast::ExprKind::membership;
}

const char* type_keyword(ast::TypeName name) {
  switch (name) {
    case ast::TypeName::boolean: return "boolean";
    case ast::TypeName::integer: return "integer";
    case ast::TypeName::decimal: return "decimal";
    case ast::TypeName::string: return "string";
    case ast::TypeName::duration: return "duration";
    case ast::TypeName::mass: return "mass";
    case ast::TypeName::length: return "length";
    case ast::TypeName::volume: return "volume";
    case ast::TypeName::quantity: return "quantity";
    case ast::TypeName::code: return "code";
    case ast::TypeName::coding: return "coding";
    case ast::TypeName::date: return "date";
    case ast::TypeName::date_time: return "datetime";
    case ast::TypeName::null: return "null";
  }
  return "?";
}

const char* bound_spelling(ast::Bound bound) {
  switch (bound) {
    case ast::Bound::at_least: return ">=";
    case ast::Bound::above: return ">";
    case ast::Bound::at_most: return "<=";
    case ast::Bound::below: return "<";
  }
  return "?";
}

// Declarations that always stand apart by a blank line.
bool is_block(ast::DeclarationKind kind) {
  return kind == ast::DeclarationKind::guideline || kind == ast::DeclarationKind::definition ||
         kind == ast::DeclarationKind::recommendation || kind == ast::DeclarationKind::coverage;
}

class Printer {
 public:
  Printer(const ast::Module& module, std::string_view source, const Lexed& lexed,
          Attachments attachments)
      : module_(module), source_(source), lexed_(lexed), attachments_(std::move(attachments)) {}

  std::string print() {
    const DocId root = file();
    analyze(root);
    std::string out = Renderer(docs_, lexed_.comments).render(root);
    if (!out.empty()) {
      out += '\n';
    }
    return out;
  }

 private:
  // -- Document construction --

  DocId make(DocKind kind) {
    Doc doc;
    doc.kind = kind;
    docs_.push_back(std::move(doc));
    return static_cast<DocId>(docs_.size() - 1);
  }
  DocId space() { return make(DocKind::space); }
  DocId line() { return make(DocKind::line); }
  DocId softline() { return make(DocKind::softline); }
  DocId hardline() { return make(DocKind::hardline); }
  DocId concat(std::vector<DocId> children) {
    const DocId id = make(DocKind::concat);
    docs_[id].children = std::move(children);
    return id;
  }
  DocId nest(DocId child) {
    const DocId id = make(DocKind::nest);
    docs_[id].indent = kIndent;
    docs_[id].children = {child};
    return id;
  }
  DocId group(DocId child) {
    const DocId id = make(DocKind::group);
    docs_[id].children = {child};
    return id;
  }
  // Text that is no source token (a comment printed by the file layout).
  DocId raw(std::string text) {
    const DocId id = make(DocKind::text);
    docs_[id].text = std::move(text);
    return id;
  }

  [[nodiscard]] std::string_view token_text(std::size_t index) const {
    const Token& token = lexed_.tokens[index];
    return source_.substr(token.offset, token.end - token.offset);
  }

  // The index of the first token at or after `offset`.
  [[nodiscard]] std::size_t token_at(std::uint32_t offset) const {
    const auto& tokens = lexed_.tokens;
    return static_cast<std::size_t>(
        std::lower_bound(tokens.begin(), tokens.end(), offset,
                         [](const Token& token, std::uint32_t at) { return token.offset < at; }) -
        tokens.begin());
  }

  [[nodiscard]] bool is_chain_text(DocId id) const { return is_chain_keyword(docs_[id].text); }

  // Whether a comment after text `id` ends its line.
  [[nodiscard]] bool line_ended(DocId id) const {
    return std::any_of(docs_[id].after.begin(), docs_[id].after.end(), [&](const Piece& piece) {
      return piece.kind != CommentKind::inline_comment;
    });
  }

  // Comments before a token that do not all fit before it on its line (a block comment that
  // was inline before a dropped parenthesis, then a line comment) each take a line.
  void normalize(DocId id) {
    std::vector<Piece>& leading = docs_[id].leading;
    bool line_ends = false;
    for (auto piece = leading.rbegin(); piece != leading.rend(); ++piece) {
      if (piece->kind != CommentKind::inline_comment) {
        line_ends = true;
      } else if (line_ends) {
        piece->kind = CommentKind::own_line;
      }
    }
    bool own_line_seen = false;
    for (Piece& piece : leading) {
      if (piece.kind == CommentKind::own_line) {
        own_line_seen = true;
      } else if (piece.kind == CommentKind::trailing && own_line_seen) {
        piece.kind = CommentKind::own_line;
      }
    }
  }

  // Hangs a trailing comment after printed text `id`. After a chain operator, whose line breaks
  // come before it (`a // why` + `and b`), the comment goes to the text before the operator
  // when nothing stands between them.
  void add_trailing(DocId id, std::uint32_t comment) {
    const Doc& doc = docs_[id];
    if (is_chain_text(id) && doc.leading.empty() && doc.after.empty() && previous_text_[id] &&
        !line_ended(*previous_text_[id])) {
      docs_[*previous_text_[id]].after.push_back({comment, CommentKind::trailing});
      return;
    }
    docs_[id].after.push_back({comment, CommentKind::trailing});
  }

  // A printed source token, matched to the next source token(s): `count` tokens for a text
  // that is several tokens of the grammar (`4 weeks`: a number and a unit), source
  // parentheses skipped. The comments of the
  // skipped tokens and of the matched ones hang on the printed text.
  DocId text(std::string text, std::size_t count = 1) {
    const auto id = static_cast<DocId>(docs_.size());
    {
      Doc doc;
      doc.kind = DocKind::text;
      doc.text = std::move(text);
      docs_.push_back(std::move(doc));
    }
    const std::optional<DocId> previous = last_text_;
    previous_text_.resize(docs_.size());
    previous_text_[id] = previous;
    hoists_.resize(docs_.size());
    hoists_[id] = is_chain_keyword(docs_[id].text);
    last_text_ = id;

    const auto& tokens = lexed_.tokens;
    const std::string& printed = docs_[id].text;
    const bool is_paren = printed == "(" || printed == ")";
    const TokenKind wanted = printed == "(" ? TokenKind::open_paren : TokenKind::close_paren;
    std::size_t target = cursor_;
    if (is_paren) {
      while (target < tokens.size() && tokens[target].kind != TokenKind::other &&
             tokens[target].kind != wanted) {
        ++target;
      }
      if (target >= tokens.size() || tokens[target].kind != wanted) {
        return id;  // not in the source (around an `and` inside `or`): consumes nothing
      }
    } else {
      while (target < tokens.size() && tokens[target].kind != TokenKind::other) {
        ++target;
      }
      if (target >= tokens.size()) {
        return id;  // not reached
      }
    }
    for (std::size_t index = cursor_; index < target; ++index) {
      for (const std::uint32_t comment : attachments_.leading[index]) {
        docs_[id].leading.push_back({comment, lexed_.comments[comment].kind});
      }
      for (const std::uint32_t comment : attachments_.after[index]) {
        std::vector<Piece>& leading = docs_[id].leading;
        if (leading.empty() && previous && !line_ended(*previous)) {
          add_trailing(*previous, comment);
        } else if ((!leading.empty() && leading.back().kind == CommentKind::own_line) ||
                   (leading.empty() && previous && line_ended(*previous))) {
          leading.push_back({comment, CommentKind::own_line});
        } else {
          leading.push_back({comment, CommentKind::trailing});
        }
      }
    }
    const std::size_t last = std::min(target + count, tokens.size());
    for (std::size_t index = target; index < last; ++index) {
      for (const std::uint32_t comment : attachments_.leading[index]) {
        docs_[id].leading.push_back({comment, lexed_.comments[comment].kind});
      }
    }
    normalize(id);
    // Own-line comments just after a chain operator or an opening parenthesis go before it:
    // `// why` + `and b`.
    for (DocId at = id; previous_text_[at] && hoists_[*previous_text_[at]] &&
                        docs_[*previous_text_[at]].after.empty();) {
      const DocId before = *previous_text_[at];
      std::vector<Piece>& leading = docs_[at].leading;
      std::size_t moved = 0;
      while (moved < leading.size() && leading[moved].kind == CommentKind::own_line) {
        docs_[before].leading.push_back(leading[moved++]);
      }
      if (moved == 0) {
        break;
      }
      leading.erase(leading.begin(), leading.begin() + static_cast<std::ptrdiff_t>(moved));
      normalize(before);
      at = before;
    }
    for (std::size_t index = target; index < last; ++index) {
      for (const std::uint32_t comment : attachments_.after[index]) {
        add_trailing(id, comment);
      }
    }
    cursor_ = last;
    return id;
  }

  // Consumes the source tokens before `offset` that were not printed (closing parentheses at
  // the end of a declaration), hanging their comments after the last printed token, except
  // comments that must stand on a line of their own, and those after them: returned, to print
  // between the declarations.
  std::vector<std::uint32_t> sync(std::uint32_t offset) {
    const auto& tokens = lexed_.tokens;
    std::vector<std::uint32_t> own_lines;
    while (cursor_ < tokens.size() && tokens[cursor_].offset < offset) {
      for (const std::uint32_t comment : attachments_.leading[cursor_]) {
        if (lexed_.comments[comment].kind == CommentKind::own_line || !own_lines.empty() ||
            !last_text_ || line_ended(*last_text_)) {
          own_lines.push_back(comment);
        } else {
          docs_[*last_text_].after.push_back({comment, lexed_.comments[comment].kind});
        }
      }
      for (const std::uint32_t comment : attachments_.after[cursor_]) {
        if (!own_lines.empty() || !last_text_ || line_ended(*last_text_)) {
          own_lines.push_back(comment);
        } else {
          add_trailing(*last_text_, comment);
        }
      }
      ++cursor_;
    }
    return own_lines;
  }

  // -- Expressions --

  std::string_view source_of(SourceRange range) const {
    return range.offset <= source_.size() ? source_.substr(range.offset, range.length)
                                          : std::string_view{};
  }

  // `id` in a context that needs precedence `minimum` or higher; `rightmost` when nothing
  // follows it up to the end of the enclosing full expression (an `if` is open to the right).
  // `deeper`: the head of an operator chain, whose own continuation lines are indented one
  // step more than the chain's (`a` + `and b` before `or c`).
  DocId expression(ast::ExprId id, int minimum, bool rightmost, bool deeper = false) {
    const ast::Expr& expr = module_.at(id);
    // An `if` ends in an expression and `years between a and b` in a term: followed by an
    // operator they would take it in, so they keep parentheses there.
    const bool parenthesize =
        precedence(expr) < minimum || (expr.kind == ast::ExprKind::if_then_else && !rightmost) ||
        (expr.kind == ast::ExprKind::duration_between && !rightmost && minimum >= kTermPrecedence);
    if (!parenthesize) {
      return bare(id, rightmost, deeper);
    }
    const DocId open = text("(");
    hoists_[open] = true;
    const DocId inner = bare(id, true, deeper);
    const std::size_t cursor = cursor_;
    const DocId close = text(")");
    // A `)` the source does not have (around an `and` inside `or`) goes before a comment at
    // the end of the last operand's line: `(a and b) // why`, not `)` alone on the next line.
    if (cursor_ == cursor && docs_[close].leading.empty() && previous_text_[close]) {
      std::vector<Piece>& after = docs_[*previous_text_[close]].after;
      if (!after.empty() && std::all_of(after.begin(), after.end(), [](const Piece& piece) {
            return piece.kind == CommentKind::trailing;
          })) {
        std::vector<Piece>& moved = docs_[close].after;
        moved.insert(moved.begin(), after.begin(), after.end());
        after.clear();
      }
    }
    return concat({open, inner, close});
  }

  DocId chain(ast::ExprId id, bool rightmost, bool deeper) {
    const int level = precedence(module_.at(id));
    std::vector<ast::ExprId> spine;  // outermost first
    ast::ExprId first = id;
    while (is_operator_chain(module_.at(first)) && precedence(module_.at(first)) == level) {
      spine.push_back(first);
      first = module_.operands_of(module_.at(first))[0];
    }
    // An `and` that is an operand of `or` or `xor` is always in parentheses, which precedence
    // does not need but readers do: `(a and b) or (c and d)`, not `a and b or c and d`.
    const bool clarify = level == kOrPrecedence;
    // A head that is a chain itself (`a and b` before `or c`) breaks one step deeper than
    // this chain's operators, so that the lines show the grouping.
    const DocId head = expression(first, clarify ? kAndPrecedence + 1 : level, false, true);
    std::vector<DocId> rest;
    for (auto node = spine.rbegin(); node != spine.rend(); ++node) {
      const ast::Expr& expr = module_.at(*node);
      const bool last = node + 1 == spine.rend();
      rest.push_back(line());
      rest.push_back(text(
          expr.kind == ast::ExprKind::membership ? "in" : ast::spelling(expr.binary_operator)));
      rest.push_back(space());
      rest.push_back(expression(module_.operands_of(expr)[1],
                                clarify ? kAndPrecedence + 1 : level + 1,
                                last ? rightmost : false));
    }
    const DocId tail = nest(concat(std::move(rest)));
    return group(concat({head, deeper ? nest(tail) : tail}));
  }

  // `open` elements separated by `, ` `close`, broken one per line when too long.
  DocId bracketed(std::string open, std::span<const ast::ExprId> elements, std::string close) {
    const DocId open_doc = text(std::move(open));
    if (elements.empty()) {
      const DocId close_doc = text(std::move(close));
      return concat({open_doc, close_doc});
    }
    std::vector<DocId> inner{softline()};
    for (std::size_t i = 0; i < elements.size(); ++i) {
      if (i > 0) {
        inner.push_back(text(","));
        inner.push_back(line());
      }
      inner.push_back(expression(elements[i], 0, true));
    }
    const DocId body = nest(concat(std::move(inner)));
    const DocId end_line = softline();
    const DocId close_doc = text(std::move(close));
    return group(concat({open_doc, body, end_line, close_doc}));
  }

  DocId bare(ast::ExprId id, bool rightmost, bool deeper = false) {
    const ast::Expr& expr = module_.at(id);
    const auto operands = module_.operands_of(expr);
    switch (expr.kind) {
      case ast::ExprKind::null_literal: return text("null");
      case ast::ExprKind::boolean_literal:
      case ast::ExprKind::number_literal:
      case ast::ExprKind::name: return text(expr.text);
      case ast::ExprKind::string_literal: return text(quote(expr.text, '\''));
      case ast::ExprKind::coding_literal: return text(expr.unit + " " + quote(expr.text, '\''), 2);
      case ast::ExprKind::date_literal: return text("@" + expr.text);
      case ast::ExprKind::duration_between:
        return group(concat({text(expr.unit), space(), text("between"), space(),
                             expression(operands[0], kTermPrecedence, false), space(), text("and"),
                             space(), expression(operands[1], kTermPrecedence, rightmost)}));
      case ast::ExprKind::quantity_literal: {
        // The unit as written: a calendar word, or a UCUM unit in quotes.
        std::string_view written = source_of(expr.range);
        written.remove_prefix(std::min(written.size(), expr.text.size()));
        while (!written.empty() && (written.front() == ' ' || written.front() == '\t')) {
          written.remove_prefix(1);
        }
        const bool quoted = written.starts_with('\'');
        return text(expr.text + " " + (quoted ? quote(expr.unit, '\'') : expr.unit), 2);
      }
      case ast::ExprKind::binary:
      case ast::ExprKind::membership: return chain(id, rightmost, deeper);
      case ast::ExprKind::unary: {
        if (expr.unary_operator == ast::UnaryOperator::logical_not) {
          return concat({text("not"), space(), expression(operands[0], kNotPrecedence, rightmost)});
        }
        const DocId sign = text(expr.unary_operator == ast::UnaryOperator::negate ? "-" : "+");
        // `- -x`, not `--x`: signs in a row stay apart.
        const ast::Expr& operand = module_.at(operands[0]);
        if (operand.kind == ast::ExprKind::unary &&
            operand.unary_operator != ast::UnaryOperator::logical_not) {
          return concat({sign, space(), expression(operands[0], kUnaryPrecedence, rightmost)});
        }
        return concat({sign, expression(operands[0], kUnaryPrecedence, rightmost)});
      }
      case ast::ExprKind::test: {
        std::vector<DocId> parts{expression(operands[0], kTestPrecedence, false), space(),
                                 text("is"), space()};
        using T = ast::TestOperator;
        const T op = expr.test_operator;
        if (op == T::is_not_null || op == T::is_not_true || op == T::is_not_false) {
          parts.push_back(text("not"));
          parts.push_back(space());
        }
        parts.push_back(text(op == T::is_null || op == T::is_not_null   ? "null"
                             : op == T::is_true || op == T::is_not_true ? "true"
                                                                        : "false"));
        return concat(std::move(parts));
      }
      case ast::ExprKind::between: {
        const DocId value = expression(operands[0], kNotPrecedence, false, true);
        return group(concat(
            {value,
             nest(concat({line(), text("between"), space(),
                          expression(operands[1], kTermPrecedence, false), space(), text("and"),
                          space(), expression(operands[2], kTermPrecedence, rightmost)}))}));
      }
      case ast::ExprKind::list: return bracketed("{", operands, "}");
      case ast::ExprKind::call: {
        const DocId name = text(expr.text);
        return concat({name, bracketed("(", operands, ")")});
      }
      case ast::ExprKind::if_then_else:
        return group(concat(
            {text("if"), space(), expression(operands[0], 0, true),
             nest(concat({line(), text("then"), space(), expression(operands[1], 0, true), line(),
                          text("else"), space(), expression(operands[2], 0, true)}))}));
      case ast::ExprKind::case_when: {
        std::vector<DocId> head{text("case")};
        std::size_t i = 0;
        if (expr.has_subject) {
          head.push_back(space());
          head.push_back(expression(operands[0], 0, true));
          i = 1;
        }
        std::vector<DocId> items;
        for (; i + 1 < operands.size(); i += 2) {
          items.push_back(line());
          items.push_back(text("when"));
          items.push_back(space());
          items.push_back(expression(operands[i], 0, true));
          items.push_back(space());
          items.push_back(text("then"));
          items.push_back(space());
          items.push_back(expression(operands[i + 1], 0, true));
        }
        items.push_back(line());
        items.push_back(text("else"));
        items.push_back(space());
        items.push_back(expression(operands.back(), 0, true));
        head.push_back(nest(concat(std::move(items))));
        head.push_back(line());
        head.push_back(text("end"));
        return group(concat(std::move(head)));
      }
      case ast::ExprKind::score: {
        // `score(W when C, ...)`, one item per line when it does not fit on one.
        std::vector<DocId> inner{softline()};
        for (std::size_t i = 0; i + 1 < operands.size(); i += 2) {
          if (i > 0) {
            inner.push_back(text(","));
            inner.push_back(line());
          }
          inner.push_back(expression(operands[i], kUnaryPrecedence, false));
          inner.push_back(space());
          inner.push_back(text("when"));
          inner.push_back(space());
          inner.push_back(expression(operands[i + 1], 0, true));
        }
        const DocId open = text("score(");
        const DocId body = nest(concat(std::move(inner)));
        const DocId end_line = softline();
        const DocId close = text(")");
        return group(concat({open, body, end_line, close}));
      }
      case ast::ExprKind::at_least: {
        const DocId head = concat({text("at"), space(), text("least"), space(),
                                   expression(operands[0], kUnaryPrecedence, false), space(),
                                   text("of"), space()});
        return concat({head, bracketed("(", operands.subspan(1), ")")});
      }
    }
    return text("null");  // not reached
  }

  // -- Declarations --

  // Whether the declaration in `range` ends with a description (a double-quoted text): the
  // AST cannot tell an empty description from none.
  [[nodiscard]] bool ends_with_text(SourceRange range) const {
    const std::size_t end = token_at(range.end());
    return end > 0 && token_text(end - 1).starts_with('"');
  }

  [[nodiscard]] bool has_keyword(SourceRange range, std::string_view keyword) const {
    for (std::size_t i = token_at(range.offset);
         i < lexed_.tokens.size() && lexed_.tokens[i].offset < range.end(); ++i) {
      if (token_text(i) == keyword) {
        return true;
      }
    }
    return false;
  }

  DocId header(const ast::GuidelineHeader& header) {
    std::vector<DocId> parts{text("guideline"), space(), text(quote(header.id.name, '"'))};
    if (has_keyword(header.range, "title")) {
      parts.push_back(
          nest(concat({hardline(), text("title"), space(), text(quote(header.title, '"'))})));
    }
    if (has_keyword(header.range, "version")) {
      parts.push_back(
          nest(concat({hardline(), text("version"), space(), text(quote(header.version, '"'))})));
    }
    if (!header.hooks.empty()) {
      std::string hooks;
      for (const ast::Named& hook : header.hooks) {
        hooks += (hooks.empty() ? "" : ", ") + hook.name;
      }
      parts.push_back(nest(concat({hardline(), text("hooks"), space(), text(hooks)})));
    }
    return concat(std::move(parts));
  }

  DocId source(const ast::SourceDeclaration& source) {
    return concat({text("source"), space(), text(std::string(source_of(source.number_range))),
                   space(), text(quote(source.citation, '"'))});
  }

  DocId fact(const ast::FactDeclaration& fact) {
    std::vector<DocId> parts{text("fact"), space(), text(fact.name.name),
                             text(":"),    space(), text(type_keyword(fact.type.name))};
    if (fact.type.name == ast::TypeName::quantity) {
      parts.push_back(space());
      parts.push_back(text(quote(fact.type.unit, '\'')));
    } else if (fact.type.name == ast::TypeName::code) {
      parts.push_back(space());
      parts.push_back(text("{"));
      for (std::size_t i = 0; i < fact.type.codes.size(); ++i) {
        if (i > 0) {
          parts.push_back(text(","));
          parts.push_back(space());
        }
        parts.push_back(text(quote(fact.type.codes[i], '\'')));
      }
      parts.push_back(text("}"));
    }
    if (fact.limits.size() == 2) {
      parts.push_back(space());
      parts.push_back(text("between"));
      parts.push_back(space());
      parts.push_back(expression(fact.limits[0].value, kTermPrecedence, false));
      parts.push_back(space());
      parts.push_back(text("and"));
      parts.push_back(space());
      parts.push_back(expression(fact.limits[1].value, kTermPrecedence, true));
    } else if (fact.limits.size() == 1) {
      parts.push_back(space());
      parts.push_back(text(bound_spelling(fact.limits[0].bound)));
      parts.push_back(space());
      parts.push_back(expression(fact.limits[0].value, kTermPrecedence, true));
    }
    if (!fact.units.empty()) {
      std::vector<DocId> units{text("units"), space()};
      for (std::size_t i = 0; i < fact.units.size(); ++i) {
        if (i > 0) {
          units.push_back(text(","));
          units.push_back(space());
        }
        units.push_back(text(quote(fact.units[i].name, '\'')));
      }
      parts.push_back(nest(concat({line(), concat(std::move(units))})));
    }
    // Each conversion on its own line.
    for (const ast::UnitConversion& conversion : fact.conversions) {
      const DocId source = conversion.cites_text
                               ? text(quote(conversion.source_text, '"'))
                               : text(std::string(source_of(conversion.source.range)));
      parts.push_back(nest(
          concat({hardline(), text("convert"), space(), text(quote(conversion.from.name, '\'')),
                  space(), text("="), space(), text(conversion.factor.name), space(),
                  text(quote(conversion.to.name, '\'')), space(), text("cite"), space(), source})));
    }
    // A conversion may end with a text (`cite "..."`): the description is a text after it.
    // The binding, when there is one, comes after the description.
    const std::uint32_t head_end = fact.binding ? fact.binding->range.offset : fact.range.end();
    const SourceRange head{fact.range.file, fact.range.offset, head_end - fact.range.offset};
    const bool described =
        ends_with_text(head) &&
        (fact.conversions.empty() || fact.conversions.back().range.end() < head.end());
    if (described) {
      parts.push_back(nest(concat({line(), text(quote(fact.description, '"'))})));
    }
    if (!fact.binding) {
      return group(concat(std::move(parts)));
    }
    return concat({group(concat(std::move(parts))), nest(binding_clause(*fact.binding))});
  }

  // Names joined as written lists read aloud: `a`, `a or b`, `a, b or c`.
  // With `unit`, `ELEMENT in 'UNIT'` for its element.
  void spoken_list(std::vector<DocId>& parts, const std::vector<ast::Named>& names,
                   const std::optional<ast::ElementUnit>& unit = std::nullopt) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (i > 0 && i + 1 < names.size()) {
        parts.push_back(text(","));
        parts.push_back(space());
      } else if (i > 0) {
        parts.push_back(space());
        parts.push_back(text("or"));
        parts.push_back(space());
      }
      parts.push_back(text(names[i].name));
      if (unit && unit->element.range.offset == names[i].range.offset) {
        parts.push_back(space());
        parts.push_back(text("in"));
        parts.push_back(space());
        parts.push_back(text(quote(unit->unit.name, '\'')));
      }
    }
  }

  // A fact's binding: `from ...` on its own line, each later part (`where`, `within`) on its
  // own line below it, indented, and `value ...` back at the level of `from`.
  DocId binding_clause(const ast::BindingClause& binding) {
    std::vector<DocId> parts{hardline(), text("from"), space()};
    if (binding.most_recent) {
      parts.push_back(text("most"));
      parts.push_back(space());
      parts.push_back(text("recent"));
      parts.push_back(space());
    }
    parts.push_back(text(binding.resource_type.name));
    if (binding.code) {
      parts.push_back(space());
      parts.push_back(text("coded"));
      parts.push_back(space());
      parts.push_back(text(binding.code->system.name));
      parts.push_back(space());
      parts.push_back(text(quote(binding.code->code.name, '\'')));
    } else if (binding.value_set) {
      parts.push_back(space());
      parts.push_back(text("coded"));
      parts.push_back(space());
      parts.push_back(text(binding.value_set->name));
    }
    std::vector<DocId> details;
    for (std::size_t f = 0; f < binding.filters.size(); ++f) {
      const ast::BindingFilter& filter = binding.filters[f];
      details.push_back(hardline());
      details.push_back(text(f == 0 ? "where" : "and"));
      details.push_back(space());
      details.push_back(text(filter.element.name));
      details.push_back(space());
      details.push_back(text("is"));
      details.push_back(space());
      if (filter.negated) {
        details.push_back(text("not"));
        details.push_back(space());
      }
      spoken_list(details, filter.codes);
    }
    if (binding.window_amount) {
      details.push_back(hardline());
      details.push_back(text("within"));
      details.push_back(space());
      details.push_back(text(binding.window_amount->name));
      details.push_back(space());
      details.push_back(text(binding.window_unit.name));
    }
    if (!details.empty()) {
      parts.push_back(nest(concat(std::move(details))));
    }
    parts.push_back(hardline());
    parts.push_back(text("value"));
    parts.push_back(space());
    switch (binding.value) {
      case ast::BindingValueKind::elements:
        spoken_list(parts, binding.elements, binding.unit);
        break;
      case ast::BindingValueKind::since:
        parts.push_back(text(binding.value_range.name));
        parts.push_back(space());
        parts.push_back(text("since"));
        parts.push_back(space());
        spoken_list(parts, binding.elements);
        break;
      case ast::BindingValueKind::presence:
      case ast::BindingValueKind::count: parts.push_back(text(binding.value_range.name)); break;
      case ast::BindingValueKind::exists:
        parts.push_back(text("exists"));
        if (binding.otherwise_false) {
          parts.push_back(text(","));
          parts.push_back(space());
          parts.push_back(text("otherwise"));
          parts.push_back(space());
          parts.push_back(text("false"));
        }
        break;
    }
    return concat(std::move(parts));
  }

  // `codesystem NAME = 'URI'`.
  DocId code_system(const ast::CodeSystemDeclaration& system) {
    return concat({text("codesystem"), space(), text(system.name.name), space(), text("="), space(),
                   text(quote(system.uri.name, '\''))});
  }

  // `valueset NAME = {SYSTEM 'code', ...}`: on one line when it fits, otherwise one code a
  // line.
  DocId value_set(const ast::ValueSetDeclaration& value_set) {
    std::vector<DocId> codes;
    for (std::size_t i = 0; i < value_set.codes.size(); ++i) {
      if (i > 0) {
        codes.push_back(text(","));
      }
      codes.push_back(i == 0 ? softline() : line());
      codes.push_back(text(value_set.codes[i].system.name));
      codes.push_back(space());
      codes.push_back(text(quote(value_set.codes[i].code.name, '\'')));
    }
    std::vector<DocId> parts{
        text("valueset"),
        space(),
        text(value_set.name.name),
        space(),
        text("="),
        space(),
        group(concat({text("{"), nest(concat(std::move(codes))), softline(), text("}")}))};
    if (ends_with_text(value_set.range)) {
      parts.push_back(nest(concat({line(), text(quote(value_set.description, '"'))})));
    }
    return group(concat(std::move(parts)));
  }

  // `KEYWORD NAME = VALUE`, the value on the next line when it does not fit.
  DocId binding(const char* keyword, const ast::Named& name, ast::ExprId value) {
    // `=` is in the group, so that a comment after it or before the value breaks the line
    // there.
    // A score opens on the line of its name and lists its items below (`define s = score(`).
    const bool hug = module_.at(value).kind == ast::ExprKind::score;
    return concat({text(keyword), space(), text(name.name), space(),
                   group(concat({text("="), nest(concat({hug ? space() : line(),
                                                         expression(value, 0, true)}))}))});
  }

  DocId parameter(const ast::ParameterDeclaration& parameter) {
    std::vector<DocId> parts{binding("parameter", parameter.name, parameter.value)};
    if (ends_with_text(parameter.range)) {
      parts.push_back(nest(concat({line(), text(quote(parameter.description, '"'))})));
    }
    return group(concat(std::move(parts)));
  }

  DocId definition(const ast::Definition& definition) {
    std::vector<DocId> parts{binding("define", definition.name, definition.value)};
    if (ends_with_text(definition.range)) {
      parts.push_back(nest(concat({hardline(), text(quote(definition.description, '"'))})));
    }
    return concat(std::move(parts));
  }

  DocId recommendation(const ast::RecommendationDeclaration& recommendation) {
    const DocId head = concat({text("recommendation"), space(), text(recommendation.id.name)});
    const std::string& kind = recommendation.kind.name;
    std::vector<DocId> clauses{hardline(), text("kind"), space(), text(kind)};
    if (recommendation.indicator) {
      clauses.insert(clauses.end(), {hardline(), text("indicator"), space(),
                                     text(recommendation.indicator->name)});
    }
    clauses.insert(clauses.end(),
                   {hardline(), text("text"), space(), text(quote(recommendation.text, '"'))});
    if (recommendation.summary) {
      clauses.insert(clauses.end(), {hardline(), text("summary"), space(),
                                     text(quote(*recommendation.summary, '"'))});
    }
    clauses.insert(clauses.end(), {hardline(), text("cite"), space()});
    for (std::size_t i = 0; i < recommendation.citations.size(); ++i) {
      if (i > 0) {
        clauses.push_back(text(","));
        clauses.push_back(space());
      }
      clauses.push_back(text(std::string(source_of(recommendation.citations[i].range))));
    }
    if (recommendation.evidence) {
      clauses.push_back(hardline());
      clauses.push_back(text("evidence"));
      clauses.push_back(space());
      clauses.push_back(text(quote(*recommendation.evidence, '"')));
    }
    if (!recommendation.carried.empty()) {
      clauses.push_back(hardline());
      clauses.push_back(text("carry"));
      clauses.push_back(space());
      for (std::size_t i = 0; i < recommendation.carried.size(); ++i) {
        if (i > 0) {
          clauses.push_back(text(","));
          clauses.push_back(space());
        }
        clauses.push_back(text(recommendation.carried[i].name));
      }
    }
    if (!recommendation.reported.empty()) {
      clauses.push_back(hardline());
      clauses.push_back(text("report"));
      clauses.push_back(space());
      for (std::size_t i = 0; i < recommendation.reported.size(); ++i) {
        if (i > 0) {
          clauses.push_back(text(","));
          clauses.push_back(space());
        }
        clauses.push_back(text(recommendation.reported[i].name));
      }
    }
    if (!recommendation.excluded.empty()) {
      clauses.push_back(hardline());
      clauses.push_back(text("excludes"));
      clauses.push_back(space());
      for (std::size_t i = 0; i < recommendation.excluded.size(); ++i) {
        if (i > 0) {
          clauses.push_back(text(","));
          clauses.push_back(space());
        }
        clauses.push_back(text(recommendation.excluded[i].name));
      }
    }
    clauses.push_back(hardline());
    clauses.push_back(text("when"));
    clauses.push_back(space());
    clauses.push_back(expression(recommendation.condition, 0, true));
    return concat({head, nest(concat(std::move(clauses)))});
  }

  // `coverage when CONDITION`, the condition on the next line when it does not fit; the
  // description on its own line, like a definition's.
  DocId coverage(const ast::CoverageDeclaration& coverage) {
    std::vector<DocId> parts{
        concat({text("coverage"), space(),
                group(concat({text("when"),
                              nest(concat({line(), expression(coverage.condition, 0, true)}))}))})};
    if (ends_with_text(coverage.range)) {
      parts.push_back(nest(concat({hardline(), text(quote(coverage.description, '"'))})));
    }
    return concat(std::move(parts));
  }

  struct DeclarationInfo {
    SourceRange range;
    DocId doc = 0;
  };

  SourceRange range_of(ast::DeclarationRef ref) const {
    switch (ref.kind) {
      case ast::DeclarationKind::guideline: return module_.headers[ref.index].range;
      case ast::DeclarationKind::source: return module_.sources[ref.index].range;
      case ast::DeclarationKind::fact: return module_.facts[ref.index].range;
      case ast::DeclarationKind::parameter: return module_.parameters[ref.index].range;
      case ast::DeclarationKind::definition: return module_.definitions[ref.index].range;
      case ast::DeclarationKind::recommendation: return module_.recommendations[ref.index].range;
      case ast::DeclarationKind::coverage: return module_.coverage[ref.index].range;
      case ast::DeclarationKind::code_system: return module_.code_systems[ref.index].range;
      case ast::DeclarationKind::value_set: return module_.value_sets[ref.index].range;
    }
    return {};
  }

  DocId declaration(ast::DeclarationRef ref) {
    switch (ref.kind) {
      case ast::DeclarationKind::guideline: return header(module_.headers[ref.index]);
      case ast::DeclarationKind::source: return source(module_.sources[ref.index]);
      case ast::DeclarationKind::fact: return fact(module_.facts[ref.index]);
      case ast::DeclarationKind::parameter: return parameter(module_.parameters[ref.index]);
      case ast::DeclarationKind::definition: return definition(module_.definitions[ref.index]);
      case ast::DeclarationKind::recommendation:
        return recommendation(module_.recommendations[ref.index]);
      case ast::DeclarationKind::coverage: return coverage(module_.coverage[ref.index]);
      case ast::DeclarationKind::code_system: return code_system(module_.code_systems[ref.index]);
      case ast::DeclarationKind::value_set: return value_set(module_.value_sets[ref.index]);
    }
    return concat({});
  }

  // The whole file: declarations in file order, the comments between them on their own
  // lines, blank lines where the author had them and around blocks.
  DocId file() {
    std::vector<DocId> parts;
    bool first_element = true;
    const auto element = [&](bool blank, DocId doc) {
      if (!first_element) {
        parts.push_back(hardline());
        if (blank) {
          parts.push_back(hardline());
        }
      }
      first_element = false;
      parts.push_back(doc);
    };
    std::optional<ast::DeclarationKind> previous;
    std::vector<std::uint32_t> left_over;  // own-line comments at the end of a declaration
    for (const ast::DeclarationRef ref : module_.order) {
      const SourceRange range = range_of(ref);
      const std::size_t first = token_at(range.offset);
      // Own-line comments before the declaration stay between declarations; inline ones
      // (`/* ... */ fact ...`) go with its first token.
      std::vector<std::uint32_t> own_lines = std::move(left_over);
      std::vector<std::uint32_t> inline_comments;
      bool decl_blank = false;
      if (first < lexed_.tokens.size()) {
        for (const std::uint32_t comment : attachments_.leading[first]) {
          (lexed_.comments[comment].kind == CommentKind::own_line ? own_lines : inline_comments)
              .push_back(comment);
        }
        attachments_.leading[first] = inline_comments;
        decl_blank = inline_comments.empty()
                         ? lexed_.tokens[first].blank_before
                         : lexed_.comments[inline_comments.front()].blank_before;
      }
      std::vector<bool> blanks;
      blanks.reserve(own_lines.size() + 1);
      for (const std::uint32_t comment : own_lines) {
        blanks.push_back(lexed_.comments[comment].blank_before);
      }
      blanks.push_back(decl_blank);
      if (previous && (is_block(*previous) || is_block(ref.kind)) &&
          std::find(blanks.begin(), blanks.end(), true) == blanks.end()) {
        blanks.front() = true;
      }
      for (std::size_t i = 0; i < own_lines.size(); ++i) {
        element(blanks[i], raw(lexed_.comments[own_lines[i]].text));
      }
      element(blanks.back(), declaration(ref));
      left_over = sync(range.end());
      previous = ref.kind;
    }
    for (const std::uint32_t comment : sync(static_cast<std::uint32_t>(source_.size()) + 1)) {
      left_over.push_back(comment);
    }
    for (const std::uint32_t comment : attachments_.at_end) {
      left_over.push_back(comment);
    }
    for (const std::uint32_t comment : left_over) {
      element(lexed_.comments[comment].blank_before, raw(lexed_.comments[comment].text));
    }
    return concat(std::move(parts));
  }

  // -- Which groups must break --

  struct Span {
    std::optional<DocId> first;
    std::optional<DocId> last;
    bool breaks = false;
  };

  [[nodiscard]] bool breaks_after(DocId text) const {
    return std::any_of(docs_[text].after.begin(), docs_[text].after.end(), [&](const Piece& p) {
      return breaks_line(lexed_.comments[p.comment], p.kind);
    });
  }
  [[nodiscard]] bool breaks_before(DocId text) const {
    return std::any_of(docs_[text].leading.begin(), docs_[text].leading.end(), [&](const Piece& p) {
      return breaks_line(lexed_.comments[p.comment], p.kind);
    });
  }

  // A group must break when a comment that ends a line sits between two of its texts, or a
  // hard line break is inside it.
  Span analyze(DocId id) {
    Doc& doc = docs_[id];
    switch (doc.kind) {
      case DocKind::text: return Span{id, id, doc.text.find('\n') != std::string::npos};
      case DocKind::space:
      case DocKind::line:
      case DocKind::softline: return Span{};
      case DocKind::hardline: return Span{std::nullopt, std::nullopt, true};
      case DocKind::group: {
        const Span span = analyze(doc.children.front());
        docs_[id].must_break = span.breaks;
        return span;
      }
      case DocKind::nest:
      case DocKind::concat: {
        Span all;
        const std::vector<DocId> children = doc.children;
        for (const DocId child : children) {
          const Span span = analyze(child);
          all.breaks = all.breaks || span.breaks;
          if (!span.first) {
            continue;
          }
          if (all.last && (breaks_after(*all.last) || breaks_before(*span.first))) {
            all.breaks = true;
          }
          if (!all.first) {
            all.first = span.first;
          }
          all.last = span.last;
        }
        return all;
      }
    }
    return Span{};
  }

  const ast::Module& module_;
  std::string_view source_;
  const Lexed& lexed_;
  Attachments attachments_;
  std::vector<Doc> docs_;
  std::size_t cursor_ = 0;
  std::optional<DocId> last_text_;
  std::vector<std::optional<DocId>> previous_text_;  // per doc: the text printed before it
  std::vector<bool> hoists_;  // per doc: own-line comments after this text go before it
};

// Everything a file means, declaration by declaration, for the check that formatting did
// not change it.
std::string meaning(const ast::Module& module) {
  std::string out;
  const auto dump = [&](ast::ExprId id) { return ast::dump(module, id); };
  for (const ast::DeclarationRef ref : module.order) {
    switch (ref.kind) {
      case ast::DeclarationKind::guideline: {
        const auto& header = module.headers[ref.index];
        out += fmt::format("guideline {}|{}|{}\n", header.id.name, header.title, header.version);
        for (const ast::Named& hook : header.hooks) {
          out += fmt::format("hook {}\n", hook.name);
        }
        break;
      }
      case ast::DeclarationKind::source: {
        const auto& source = module.sources[ref.index];
        out += fmt::format("source {}|{}\n", source.number, source.citation);
        break;
      }
      case ast::DeclarationKind::fact: {
        const auto& fact = module.facts[ref.index];
        out += fmt::format("fact {}|{}|{}|{}", fact.name.name, type_keyword(fact.type.name),
                           fact.type.unit, fmt::join(fact.type.codes, ","));
        for (const ast::RangeLimit& limit : fact.limits) {
          out += fmt::format("|{} {}", bound_spelling(limit.bound), dump(limit.value));
        }
        for (const ast::Named& unit : fact.units) {
          out += fmt::format("|units {}", unit.name);
        }
        for (const ast::UnitConversion& conversion : fact.conversions) {
          out += fmt::format("|convert {} = {} {} cite {}{}", conversion.from.name,
                             conversion.factor.name, conversion.to.name,
                             conversion.cites_text ? "" : std::to_string(conversion.source.number),
                             conversion.source_text);
        }
        if (fact.binding) {
          const ast::BindingClause& binding = *fact.binding;
          out += fmt::format("|from {}{}", binding.most_recent ? "most recent " : "",
                             binding.resource_type.name);
          if (binding.code) {
            out += fmt::format(" coded {} {}", binding.code->system.name, binding.code->code.name);
          } else if (binding.value_set) {
            out += fmt::format(" coded {}", binding.value_set->name);
          }
          for (const ast::BindingFilter& filter : binding.filters) {
            out += fmt::format(" where {} is{}", filter.element.name, filter.negated ? " not" : "");
            for (const ast::Named& code : filter.codes) {
              out += " " + code.name;
            }
          }
          if (binding.window_amount) {
            out +=
                fmt::format(" within {} {}", binding.window_amount->name, binding.window_unit.name);
          }
          out +=
              fmt::format(" value {} {}{}", static_cast<int>(binding.value),
                          binding.value_range.name, binding.otherwise_false ? " else false" : "");
          for (const ast::Named& element : binding.elements) {
            out += " " + element.name;
          }
          if (binding.unit) {
            out += fmt::format(" ({} in {})", binding.unit->element.name, binding.unit->unit.name);
          }
        }
        out += fmt::format("|{}\n", fact.description);
        break;
      }
      case ast::DeclarationKind::code_system: {
        const auto& system = module.code_systems[ref.index];
        out += fmt::format("codesystem {}|{}\n", system.name.name, system.uri.name);
        break;
      }
      case ast::DeclarationKind::value_set: {
        const auto& value_set = module.value_sets[ref.index];
        out += fmt::format("valueset {}|", value_set.name.name);
        for (const ast::CodeReference& code : value_set.codes) {
          out += fmt::format("{} {},", code.system.name, code.code.name);
        }
        out += fmt::format("|{}\n", value_set.description);
        break;
      }
      case ast::DeclarationKind::parameter: {
        const auto& parameter = module.parameters[ref.index];
        out += fmt::format("parameter {}|{}|{}\n", parameter.name.name, dump(parameter.value),
                           parameter.description);
        break;
      }
      case ast::DeclarationKind::definition: {
        const auto& definition = module.definitions[ref.index];
        out += fmt::format("define {}|{}|{}\n", definition.name.name, dump(definition.value),
                           definition.description);
        break;
      }
      case ast::DeclarationKind::recommendation: {
        const auto& recommendation = module.recommendations[ref.index];
        out += fmt::format(
            "recommendation {}|{}|{}|{}|{}|", recommendation.id.name, recommendation.kind.name,
            recommendation.indicator ? recommendation.indicator->name : "-", recommendation.text,
            recommendation.summary ? "+" + *recommendation.summary : "-");
        for (const ast::Citation& citation : recommendation.citations) {
          out += fmt::format("{},", citation.number);
        }
        out += fmt::format("|{}|", recommendation.evidence ? "+" + *recommendation.evidence : "-");
        for (const ast::Named& carried : recommendation.carried) {
          out += carried.name + ",";
        }
        out += "|";
        for (const ast::Named& reported : recommendation.reported) {
          out += reported.name + ",";
        }
        out += "|";
        for (const ast::Named& excluded : recommendation.excluded) {
          out += excluded.name + ",";
        }
        out += fmt::format("|{}\n", dump(recommendation.condition));
        break;
      }
      case ast::DeclarationKind::coverage: {
        const auto& coverage = module.coverage[ref.index];
        out += fmt::format("coverage {}|{}\n", dump(coverage.condition), coverage.description);
        break;
      }
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> format_source(const SourceManager& sources, FileId file,
                                         Diagnostics& diagnostics) {
  Diagnostics parse_diagnostics;
  TokenStream tokens;
  const ast::Module module = parse_module(sources, file, parse_diagnostics, &tokens);
  diagnostics.append(parse_diagnostics);
  if (parse_diagnostics.has_errors()) {
    return std::nullopt;
  }
  const std::string_view text = sources.text(file);
  Lexed lexed = make_lexed(text, tokens);
  Attachments attachments = attach(lexed, text);
  std::string formatted = Printer(module, text, lexed, std::move(attachments)).print();

  // Never return a text that means something else.
  SourceManager check_sources;
  const FileId check_file = check_sources.add(std::string(sources.name(file)), formatted);
  Diagnostics check_diagnostics;
  const ast::Module check = parse_module(check_sources, check_file, check_diagnostics);
  if (check_diagnostics.has_errors() || meaning(check) != meaning(module)) {
    diagnostics.report(DiagnosticKind::internal_parser_error, SourceRange{file, 0, 0},
                       "internal error: the formatter would change the meaning of this file; it "
                       "is left as it is");
    return std::nullopt;
  }
  return formatted;
}

}  // namespace rubric
