// The only translation unit that sees PEGTL: parses with grammar/rubric_grammar.hpp into a
// PEGTL parse tree, then lowers the tree into rubric::ast.
#include "dsl/parser.hpp"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/limit_depth.hpp>
#include <tao/pegtl/contrib/parse_tree.hpp>
#include <type_traits>

#include "grammar/errors.hpp"
#include "grammar/rubric_grammar.hpp"

namespace rubric {
namespace {

namespace pegtl = tao::pegtl;
namespace g = rubric::grammar;

// A backstop for the stack: the grammar rule depth that kMaxNestingDepth levels of the most
// expensive construct need, with room to spare. The depth tracker below stops at
// kMaxNestingDepth first, so this is never the limit a user meets.
constexpr std::size_t kMaxRuleDepth = kMaxNestingDepth * 40;
constexpr const char* kTooDeep = "maximum parser rule nesting depth exceeded";
constexpr const char* kTooNested = "rubric: nesting limit";
constexpr const char* kTreeTooDeep = "rubric: expression tree depth limit";
constexpr const char* kTooManyNodes = "rubric: expression size limit";

std::string too_many_nodes_message() {
  return fmt::format(
      "guideline too large (more than {} operators and operands in its expressions); split the "
      "guideline, or move repeated logic into definitions",
      kMaxExpressionNodes);
}

std::string tree_too_deep_message() {
  return fmt::format(
      "expression nested too deeply (more than {} levels, counting each operator of a chain); "
      "move parts of it into definitions",
      kMaxExpressionDepth);
}

// How a syntax node contributes to the depth of the expression tree it lowers to.
enum class DepthRole : std::uint8_t {
  other,    // a declaration part or an operator token: not an operand
  chain,    // a left-associative chain: each operand after the first adds a level
  group,    // parentheses: a nesting level, but no level of the tree
  nesting,  // unary operators, `if`, `case`, lists, calls: a nesting level and a tree level
  pass,     // a part of its parent's expression (suffixes, `case` items): no level of its own
  between,  // `x between a and b` is one level above its three operands; plain `x` is `x`
  leaf,     // a literal or a name: one level
};

template <typename Rule>
constexpr DepthRole depth_role() {
  if constexpr (std::is_same_v<Rule, g::implication> || std::is_same_v<Rule, g::disjunction> ||
                std::is_same_v<Rule, g::conjunction> || std::is_same_v<Rule, g::membership> ||
                std::is_same_v<Rule, g::equality> || std::is_same_v<Rule, g::comparison> ||
                std::is_same_v<Rule, g::multiplicative> || std::is_same_v<Rule, g::additive> ||
                std::is_same_v<Rule, g::test_expression>) {
    return DepthRole::chain;
  } else if constexpr (std::is_same_v<Rule, g::parenthesized>) {
    return DepthRole::group;
  } else if constexpr (std::is_same_v<Rule, g::negation> || std::is_same_v<Rule, g::logical_not> ||
                       std::is_same_v<Rule, g::if_expression> ||
                       std::is_same_v<Rule, g::case_expression> ||
                       std::is_same_v<Rule, g::score_expression> ||
                       std::is_same_v<Rule, g::at_least_expression> ||
                       std::is_same_v<Rule, g::list_selector> || std::is_same_v<Rule, g::call> ||
                       std::is_same_v<Rule, g::duration_between>) {
    return DepthRole::nesting;
  } else if constexpr (std::is_same_v<Rule, g::test_suffix> ||
                       std::is_same_v<Rule, g::between_suffix> ||
                       std::is_same_v<Rule, g::case_subject> ||
                       std::is_same_v<Rule, g::case_item> ||
                       std::is_same_v<Rule, g::expected_score_item> ||
                       std::is_same_v<Rule, g::score_weight>) {
    return DepthRole::pass;
  } else if constexpr (std::is_same_v<Rule, g::between_expression>) {
    return DepthRole::between;
  } else if constexpr (std::is_same_v<Rule, g::null_literal> ||
                       std::is_same_v<Rule, g::true_literal> ||
                       std::is_same_v<Rule, g::false_literal> ||
                       std::is_same_v<Rule, g::number_literal> ||
                       std::is_same_v<Rule, g::quantity_literal> ||
                       std::is_same_v<Rule, g::date_literal> ||
                       std::is_same_v<Rule, g::string_literal> ||
                       std::is_same_v<Rule, g::coding_literal> || std::is_same_v<Rule, g::name>) {
    return DepthRole::leaf;
  } else {
    return DepthRole::other;
  }
}

// The syntax nodes being parsed, innermost last, with the depth of the expression tree each
// has so far. Lets the parser stop at the first operand that takes an expression past
// kMaxExpressionDepth, or at the first construct nested more than kMaxNestingDepth deep,
// instead of building the whole tree of a hostile input first. One per parse call.
struct DepthTracker {
  struct Open {
    DepthRole role;
    std::uint32_t depth;     // chain: the depth so far; others: the deepest operand so far
    std::uint32_t operands;  // operands seen so far
    pegtl::internal::iterator begin;

    // The depth of the tree this node lowers to, if it ended now.
    [[nodiscard]] std::uint32_t finished() const {
      switch (role) {
        case DepthRole::nesting: return depth + 1;
        case DepthRole::between: return depth + (operands > 1 ? 1 : 0);
        case DepthRole::leaf: return 1;
        case DepthRole::chain:
        case DepthRole::group:
        case DepthRole::pass:
        case DepthRole::other: return depth;
      }
      return depth;
    }

    // Takes in an operand of depth `operand`.
    void add(std::uint32_t operand) {
      depth = role == DepthRole::chain && operands > 0 ? std::max(depth, operand) + 1
                                                       : std::max(depth, operand);
      ++operands;
    }
  };
  std::vector<Open> open;
  std::size_t nesting = 0;  // open nodes whose role is `group` or `nesting`
  std::size_t budget = 0;   // expression (AST) nodes this parse may still add

  // Stops the parse at the innermost open construct when more than kMaxNestingDepth are open.
  void check_nesting() const {
    if (nesting <= kMaxNestingDepth) {
      return;
    }
    for (auto it = open.rbegin(); it != open.rend(); ++it) {
      if (it->role == DepthRole::group || it->role == DepthRole::nesting) {
        throw pegtl::parse_error(kTooNested, pegtl::position(it->begin, std::string()));
      }
    }
  }
};

constexpr bool nests(DepthRole role) {
  return role == DepthRole::group || role == DepthRole::nesting;
}

// Records the grammar's tokens and comments into a TokenStream (dsl/parser.hpp) while the
// parser parses: an action on each lexical rule and comment rule, run when its match ends.
// No lexical rule contains another, so along the path the parse takes the entries come in
// source order. An attempt that backtracks (`a` read as the start of a call, then as a name;
// a comment read before an operator that is not there) leaves entries at or after the point
// it goes back to, and the next entry recorded is the first token or comment at or after that
// point (every byte after it is in one, or whitespace): so recording an entry first drops
// every entry that does not start before it. One per parse call; records nothing without a
// stream.
class TokenRecorder {
 public:
  TokenRecorder(const char* text, TokenStream* stream) : text_(text), stream_(stream) {}

  void token(const char* begin, const char* end, TokenKind kind) {
    if (stream_ == nullptr) {
      return;
    }
    const std::uint32_t offset = rewind(begin);
    stream_->tokens.push_back({offset, static_cast<std::uint32_t>(end - text_), kind});
  }

  void comment(const char* begin, const char* end, bool line_comment) {
    if (stream_ == nullptr) {
      return;
    }
    // A line comment's match holds its line break (`until<eol>`); the comment does not.
    if (line_comment && end > begin && end[-1] == '\n') {
      --end;
      if (end > begin && end[-1] == '\r') {
        --end;
      }
    }
    const std::uint32_t offset = rewind(begin);
    stream_->comments.push_back({offset, static_cast<std::uint32_t>(end - text_), line_comment});
  }

 private:
  // Drops the entries of matches that backtracked past `begin`; returns its offset.
  std::uint32_t rewind(const char* begin) {
    const auto offset = static_cast<std::uint32_t>(begin - text_);
    while (!stream_->tokens.empty() && stream_->tokens.back().offset >= offset) {
      stream_->tokens.pop_back();
    }
    while (!stream_->comments.empty() && stream_->comments.back().offset >= offset) {
      stream_->comments.pop_back();
    }
    return offset;
  }

  const char* text_;
  TokenStream* stream_;
};

// Whether `Rule` is a keyword of the grammar (g::keyword<Word>, or a rule derived from one:
// `op_and`, `null_literal`, `type_boolean`, calendar words).
template <typename Word>
constexpr bool keyword_base(const g::keyword<Word>* /*rule*/) {
  return true;
}
constexpr bool keyword_base(const void* /*rule*/) {
  return false;
}
template <typename Rule>
constexpr bool is_keyword = keyword_base(static_cast<const Rule*>(nullptr));

template <typename Rule, typename... Rules>
constexpr bool is_one_of = (std::is_same_v<Rule, Rules> || ...);

// The lexical rules of the grammar: each match of one is a token (see TokenStream). None of
// them contains another. Every terminal of the grammar outside separators is in one of them,
// which tests/unit/test_token_stream.cpp checks on every golden file.
template <typename Rule>
constexpr bool is_token_rule =
    is_keyword<Rule> || std::is_base_of_v<g::string_literal, Rule> ||
    std::is_base_of_v<g::text_literal, Rule> || std::is_base_of_v<g::number, Rule> ||
    is_one_of<Rule, g::identifier_text, g::source_number, g::citation, g::conversion_citation,
              g::kind_name, g::indicator_name, g::hook_name, g::resource_type, g::filter_element,
              g::status_code, g::window_amount, g::element_name, g::op_plus, g::op_minus,
              g::op_minus_sign, g::op_times, g::op_divide, g::op_equal, g::op_not_equal,
              g::op_equivalent, g::op_not_equivalent, g::op_less_or_equal, g::op_less,
              g::op_greater_or_equal, g::op_greater, g::one<'('>, g::one<')'>, g::one<'{'>,
              g::one<'}'>, g::one<','>, g::one<':'>, g::one<'='>>;

template <typename Rule>
constexpr bool is_comment_rule =
    is_one_of<Rule, g::block_comment, g::line_comment, g::line_comment_at_end>;

// The parser's actions: the rule depth limit on every rule, and token recording on the
// lexical and comment rules (not inside `at`/`not_at`, which apply no actions).
template <typename Rule>
struct parse_action : pegtl::limit_depth<kMaxRuleDepth> {};

template <typename Rule>
requires is_token_rule<Rule>
struct parse_action<Rule> : pegtl::limit_depth<kMaxRuleDepth> {
  template <typename ActionInput, typename... States>
  static void apply(const ActionInput& in, DepthTracker& /*tracker*/, TokenRecorder& recorder,
                    States&&... /*states*/) {
    constexpr TokenKind kind = std::is_same_v<Rule, g::one<'('>>   ? TokenKind::open_paren
                               : std::is_same_v<Rule, g::one<')'>> ? TokenKind::close_paren
                                                                   : TokenKind::other;
    recorder.token(in.begin(), in.end(), kind);
  }
};

template <typename Rule>
requires is_comment_rule<Rule>
struct parse_action<Rule> : pegtl::limit_depth<kMaxRuleDepth> {
  template <typename ActionInput, typename... States>
  static void apply(const ActionInput& in, DepthTracker& /*tracker*/, TokenRecorder& recorder,
                    States&&... /*states*/) {
    recorder.comment(in.begin(), in.end(), !std::is_same_v<Rule, g::block_comment>);
  }
};

// A parse tree node that records the depth of the expression tree under it (see
// DepthTracker), and does not copy the file name into every node.
struct Node : pegtl::parse_tree::basic_node<Node> {
  std::uint32_t depth = 0;

  template <typename Rule, typename ParseInput>
  void start(const ParseInput& in, DepthTracker& tracker, const TokenRecorder& /*recorder*/) {
    set_type<Rule>();
    m_begin = pegtl::internal::iterator(in.iterator());
    constexpr DepthRole role = depth_role<Rule>();
    // Every nesting construct is tried, and fails at once, wherever an operand can start; so
    // the nesting is checked where an operand or a chain starts inside the constructs that
    // are really open, and reported at the innermost of them.
    if constexpr (nests(role)) {
      ++tracker.nesting;
    }
    if constexpr (role == DepthRole::chain || role == DepthRole::leaf) {
      tracker.check_nesting();
    }
    if constexpr (role == DepthRole::leaf || role == DepthRole::nesting) {
      if (tracker.budget == 0) {
        throw pegtl::parse_error(kTooManyNodes, in);
      }
      --tracker.budget;
    }
    tracker.open.push_back({role, 0, 0, m_begin});
  }

  template <typename Rule, typename ParseInput>
  void success(const ParseInput& in, DepthTracker& tracker, const TokenRecorder& /*recorder*/) {
    m_end = pegtl::internal::iterator(in.iterator());
    const DepthTracker::Open self = tracker.open.back();
    tracker.open.pop_back();
    if (nests(self.role)) {
      if (tracker.nesting > kMaxNestingDepth) {  // an empty call or list
        throw pegtl::parse_error(kTooNested, pegtl::position(self.begin, std::string()));
      }
      --tracker.nesting;
    }
    if (self.role == DepthRole::other) {
      return;
    }
    depth = self.finished();
    if (tracker.open.empty() || tracker.open.back().role == DepthRole::other ||
        tracker.open.back().role == DepthRole::leaf) {
      return;
    }
    DepthTracker::Open& parent = tracker.open.back();
    // A binary operator, and `between`, are expression nodes of their own.
    if ((parent.role == DepthRole::chain || parent.role == DepthRole::between) &&
        parent.operands > 0) {
      if (tracker.budget == 0) {
        throw pegtl::parse_error(kTooManyNodes, in);
      }
      --tracker.budget;
    }
    parent.add(depth);
    if (parent.finished() > kMaxExpressionDepth) {
      throw pegtl::parse_error(kTreeTooDeep, pegtl::position(parent.begin, std::string()));
    }
  }

  template <typename Rule, typename ParseInput>
  void failure(const ParseInput& /*in*/, DepthTracker& tracker,
               const TokenRecorder& /*recorder*/) noexcept {
    const DepthTracker::Open self = tracker.open.back();
    tracker.open.pop_back();
    if (nests(self.role)) {
      --tracker.nesting;
    }
    // A node that failed (`1` tried as a quantity) adds nothing to the tree: give back what
    // it and its operators spent.
    if (self.role == DepthRole::leaf || self.role == DepthRole::nesting) {
      ++tracker.budget;
    }
    if ((self.role == DepthRole::chain || self.role == DepthRole::between) && self.operands > 1) {
      tracker.budget += self.operands - 1;
    }
  }
};

// Replaces a chain or suffix node that has a single child by that child (`a` parsed as an
// `implication` is just the name `a`), keeping the content of the others.
struct fold_single : pegtl::parse_tree::apply<fold_single> {
  template <typename... States>
  static void transform(std::unique_ptr<Node>& n, States&&... /*states*/) {
    if (n->children.size() == 1) {
      n = std::move(n->children.front());
    }
  }
};

template <typename Rule>
using selector = pegtl::parse_tree::selector<
    Rule,
    pegtl::parse_tree::store_content::on<
        // Expressions.
        g::null_literal, g::true_literal, g::false_literal, g::number_literal, g::quantity_literal,
        g::date_literal, g::duration_between, g::duration_unit, g::string_literal,
        g::coding_literal, g::coding_system, g::coding_code, g::name, g::call, g::function_name,
        g::list_selector, g::if_expression, g::case_expression, g::case_subject, g::case_item,
        g::score_expression, g::expected_score_item, g::score_weight, g::at_least_expression,
        g::parenthesized, g::negation, g::logical_not, g::test_suffix, g::between_suffix,
        g::op_plus, g::op_minus, g::op_times, g::op_divide, g::op_div, g::op_mod, g::op_and,
        g::op_or, g::op_xor, g::op_implies, g::op_not, g::op_in, g::op_equal, g::op_not_equal,
        g::op_equivalent, g::op_not_equivalent, g::op_less_or_equal, g::op_less,
        g::op_greater_or_equal, g::op_greater, g::op_is_not, g::op_is,
        // Declarations.
        g::guideline_declaration, g::guideline_id, g::title, g::version, g::hook_name,
        g::source_declaration, g::source_number, g::citation_text, g::fact_declaration,
        g::fact_name, g::type_boolean, g::type_integer, g::type_decimal, g::type_string,
        g::type_duration, g::type_date, g::type_date_time, g::type_mass, g::type_length,
        g::type_volume, g::type_quantity, g::type_code, g::type_coding, g::unit_string,
        g::code_value, g::range_between, g::range_comparison, g::accepted_unit,
        g::conversion_clause, g::conversion_from, g::conversion_factor, g::conversion_to,
        g::conversion_citation, g::conversion_citation_text, g::description,
        g::parameter_declaration, g::parameter_name, g::definition_declaration, g::definition_name,
        g::recommendation_declaration, g::recommendation_id, g::kind_name, g::indicator_name,
        g::recommendation_text, g::recommendation_summary, g::citation, g::evidence_text,
        g::carried_parameter, g::reported_name, g::excluded_recommendation, g::coverage_declaration,
        g::code_system_declaration, g::code_system_name, g::code_system_uri, g::code_reference,
        g::code_reference_system, g::code_reference_code, g::value_set_declaration,
        g::value_set_name, g::binding_clause, g::most_recent, g::resource_type, g::coded_target,
        g::coded_code, g::binding_filter, g::filter_element, g::filter_negated, g::status_code,
        g::window_amount, g::window_unit, g::element_name, g::presence_value, g::count_value,
        g::exists_value, g::otherwise_false, g::since_unit, g::from_word, g::element_unit>,
    fold_single::on<g::multiplicative, g::additive, g::test_expression, g::between_expression,
                    g::comparison, g::equality, g::membership, g::conjunction, g::disjunction,
                    g::implication>>;

// The value of four hex digits, or nullopt.
std::optional<unsigned> hex4(std::string_view hex) {
  if (hex.size() < 4) {
    return std::nullopt;
  }
  unsigned code = 0;
  for (const char c : hex.substr(0, 4)) {
    code <<= 4U;
    if (c >= '0' && c <= '9') {
      code |= static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      code |= static_cast<unsigned>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      code |= static_cast<unsigned>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
  }
  return code;
}

// Appends the UTF-8 encoding of CQL's `\uXXXX` (four hex digits in `hex`); a high surrogate
// combines with a following `\uXXXX` low surrogate in `rest`. False when not valid hex or
// a lone surrogate.
bool append_code_point(std::string_view hex, std::string& out, std::string_view rest) {
  const std::optional<unsigned> first = hex4(hex);
  if (!first) {
    return false;
  }
  unsigned code = *first;
  if (code >= 0xD800U && code <= 0xDBFFU) {
    const std::optional<unsigned> low =
        rest.size() >= 6 && rest[0] == '\\' && rest[1] == 'u' ? hex4(rest.substr(2)) : std::nullopt;
    if (!low || *low < 0xDC00U || *low > 0xDFFFU) {
      return false;
    }
    code = 0x10000U + ((code - 0xD800U) << 10U) + (*low - 0xDC00U);
  } else if (code >= 0xDC00U && code <= 0xDFFFU) {
    return false;
  }
  if (code < 0x80U) {
    out += static_cast<char>(code);
  } else if (code < 0x800U) {
    out += static_cast<char>(0xC0U | (code >> 6U));
    out += static_cast<char>(0x80U | (code & 0x3FU));
  } else if (code < 0x10000U) {
    out += static_cast<char>(0xE0U | (code >> 12U));
    out += static_cast<char>(0x80U | ((code >> 6U) & 0x3FU));
    out += static_cast<char>(0x80U | (code & 0x3FU));
  } else {
    out += static_cast<char>(0xF0U | (code >> 18U));
    out += static_cast<char>(0x80U | ((code >> 12U) & 0x3FU));
    out += static_cast<char>(0x80U | ((code >> 6U) & 0x3FU));
    out += static_cast<char>(0x80U | (code & 0x3FU));
  }
  return true;
}

// The offset of the first byte that is not part of well-formed UTF-8, or nullopt.
std::optional<std::size_t> invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    unsigned minimum = 0;
    if (byte < 0x80U) {
      ++i;
      continue;
    }
    if ((byte & 0xE0U) == 0xC0U) {
      length = 2;
      minimum = 0x80U;
    } else if ((byte & 0xF0U) == 0xE0U) {
      length = 3;
      minimum = 0x800U;
    } else if ((byte & 0xF8U) == 0xF0U) {
      length = 4;
      minimum = 0x10000U;
    } else {
      return i;
    }
    if (i + length > text.size()) {
      return i;
    }
    unsigned code = byte & (0xFFU >> (length + 1));
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0U) != 0x80U) {
        return i;
      }
      code = (code << 6U) | (next & 0x3FU);
    }
    if (code < minimum || code > 0x10FFFFU || (code >= 0xD800U && code <= 0xDFFFU)) {
      return i;
    }
    i += length;
  }
  return std::nullopt;
}

// Unescapes the body of a quoted string or text (without its quotes): CQL's \' \" \\ \n
// \t \r \f and \uXXXX; any other escaped character stands for itself.
std::string unescape(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\' || i + 1 == body.size()) {
      out += body[i];
      continue;
    }
    const char next = body[++i];
    switch (next) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'f': out += '\f'; break;
      case 'u':
        if (i + 4 < body.size() &&
            append_code_point(body.substr(i + 1, 4), out, body.substr(i + 5))) {
          i += 4;
          // A surrogate pair consumed its second `\uXXXX` too.
          if (out.size() >= 4 &&
              (static_cast<unsigned char>(out[out.size() - 4]) & 0xF8U) == 0xF0U) {
            i += 6;
          }
          break;
        }
        out += next;
        break;
      default:
        out += next;  // \' \" \\ and any other escaped character stand for themselves
        break;
    }
  }
  return out;
}

std::string_view without_quotes(std::string_view quoted_text) {
  if (quoted_text.size() >= 2) {
    return quoted_text.substr(1, quoted_text.size() - 2);
  }
  return {};
}

// The token at `offset` for a "found ..." hint.
std::string found_at(std::string_view text, std::size_t offset) {
  if (offset >= text.size()) {
    return "the end of the file";
  }
  std::size_t end = offset;
  const auto is_word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
  };
  if (is_word(text[offset])) {
    while (end < text.size() && is_word(text[end]) && end - offset < 40) {
      ++end;
    }
  } else if (text[offset] == '\n' || text[offset] == '\r') {
    return "the end of the line";
  } else {
    // One UTF-8 character.
    end = offset + 1;
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) {
      ++end;
    }
  }
  return in_backticks(text.substr(offset, end - offset));
}

class Lowering {
 public:
  Lowering(ast::Module& module, FileId file, Diagnostics& diagnostics)
      : module_(module), file_(file), diagnostics_(diagnostics) {}

  SourceRange range(const Node& node) const {
    const auto begin = static_cast<std::uint32_t>(node.begin().byte);
    const auto end = static_cast<std::uint32_t>(node.end().byte);
    return SourceRange{file_, begin, end - begin};
  }

  ast::ExprId expression(const Node& node) {
    if (node.is_type<g::implication>() || node.is_type<g::disjunction>() ||
        node.is_type<g::conjunction>() || node.is_type<g::membership>() ||
        node.is_type<g::equality>() || node.is_type<g::comparison>() ||
        node.is_type<g::multiplicative>() || node.is_type<g::additive>()) {
      return left_associative(node);
    }
    if (node.is_type<g::parenthesized>() || node.is_type<g::case_subject>()) {
      return expression(*node.children.front());
    }
    if (node.is_type<g::test_expression>()) {
      ast::ExprId operand = expression(*node.children.front());
      for (std::size_t i = 1; i < node.children.size(); ++i) {
        operand = test(*node.children[i], operand);
      }
      return operand;
    }
    if (node.is_type<g::between_expression>()) {
      const ast::ExprId value = expression(*node.children.front());
      if (node.children.size() == 1) {
        return value;
      }
      const Node& suffix = *node.children[1];
      const ast::ExprId low = expression(*suffix.children.at(0));
      const ast::ExprId high = expression(*suffix.children.at(1));
      ast::Expr expr = make(ast::ExprKind::between, range(node));
      expr.operator_range = range(suffix);
      return add(std::move(expr), {value, low, high});
    }
    if (node.is_type<g::negation>() || node.is_type<g::logical_not>()) {
      const Node& op = *node.children.at(0);
      const ast::ExprId operand = expression(*node.children.at(1));
      ast::Expr expr = make(ast::ExprKind::unary, range(node));
      expr.unary_operator = op.is_type<g::op_not>()     ? ast::UnaryOperator::logical_not
                            : op.is_type<g::op_minus>() ? ast::UnaryOperator::negate
                                                        : ast::UnaryOperator::plus;
      expr.operator_range = range(op);
      return add(std::move(expr), {operand});
    }
    if (node.is_type<g::null_literal>()) {
      return add(make(ast::ExprKind::null_literal, range(node)), {});
    }
    if (node.is_type<g::true_literal>() || node.is_type<g::false_literal>()) {
      ast::Expr expr = make(ast::ExprKind::boolean_literal, range(node));
      expr.text = node.is_type<g::true_literal>() ? "true" : "false";
      return add(std::move(expr), {});
    }
    if (node.is_type<g::number_literal>()) {
      ast::Expr expr = make(ast::ExprKind::number_literal, range(node));
      expr.text = node.string();
      return add(std::move(expr), {});
    }
    if (node.is_type<g::quantity_literal>()) {
      return quantity(node);
    }
    if (node.is_type<g::date_literal>()) {
      ast::Expr expr = make(ast::ExprKind::date_literal, range(node));
      expr.text = std::string(node.string_view().substr(1));
      return add(std::move(expr), {});
    }
    if (node.is_type<g::duration_between>()) {
      ast::Expr expr = make(ast::ExprKind::duration_between, range(node));
      expr.unit = node.children.at(0)->string();
      expr.operator_range = range(*node.children.at(0));
      const ast::ExprId from = expression(*node.children.at(1));
      const ast::ExprId to = expression(*node.children.at(2));
      return add(std::move(expr), {from, to});
    }
    if (node.is_type<g::string_literal>()) {
      ast::Expr expr = make(ast::ExprKind::string_literal, range(node));
      expr.text = unescape(without_quotes(node.string_view()));
      return add(std::move(expr), {});
    }
    if (node.is_type<g::coding_literal>()) {
      ast::Expr expr = make(ast::ExprKind::coding_literal, range(node));
      expr.unit = node.children.at(0)->string();
      expr.operator_range = range(*node.children.at(0));
      expr.text = unescape(without_quotes(node.children.at(1)->string_view()));
      return add(std::move(expr), {});
    }
    if (node.is_type<g::name>()) {
      ast::Expr expr = make(ast::ExprKind::name, range(node));
      expr.text = node.string();
      return add(std::move(expr), {});
    }
    if (node.is_type<g::call>()) {
      ast::Expr expr = make(ast::ExprKind::call, range(node));
      expr.text = node.children.at(0)->string();
      expr.operator_range = range(*node.children.at(0));
      std::vector<ast::ExprId> arguments;
      for (std::size_t i = 1; i < node.children.size(); ++i) {
        arguments.push_back(expression(*node.children[i]));
      }
      return add(std::move(expr), arguments);
    }
    if (node.is_type<g::list_selector>()) {
      std::vector<ast::ExprId> elements;
      for (const auto& child : node.children) {
        elements.push_back(expression(*child));
      }
      return add(make(ast::ExprKind::list, range(node)), elements);
    }
    if (node.is_type<g::if_expression>()) {
      std::vector<ast::ExprId> parts;
      for (const auto& child : node.children) {
        parts.push_back(expression(*child));
      }
      return add(make(ast::ExprKind::if_then_else, range(node)), parts);
    }
    if (node.is_type<g::case_expression>()) {
      ast::Expr expr = make(ast::ExprKind::case_when, range(node));
      std::vector<ast::ExprId> parts;
      for (const auto& child : node.children) {
        if (child->is_type<g::case_subject>()) {
          expr.has_subject = true;
          parts.push_back(expression(*child));
        } else if (child->is_type<g::case_item>()) {
          parts.push_back(expression(*child->children.at(0)));
          parts.push_back(expression(*child->children.at(1)));
        } else {
          parts.push_back(expression(*child));
        }
      }
      return add(std::move(expr), parts);
    }
    if (node.is_type<g::score_expression>()) {
      // operands: weight, condition, weight, condition, ...
      std::vector<ast::ExprId> parts;
      for (const auto& item : node.children) {
        parts.push_back(score_weight(*item->children.at(0)));
        parts.push_back(expression(*item->children.at(1)));
      }
      return add(make(ast::ExprKind::score, range(node)), parts);
    }
    if (node.is_type<g::at_least_expression>()) {
      // operands: the count, then the conditions.
      std::vector<ast::ExprId> parts;
      for (const auto& child : node.children) {
        parts.push_back(expression(*child));
      }
      return add(make(ast::ExprKind::at_least, range(node)), parts);
    }
    // Not reachable for a tree the grammar produced; keep the AST well-formed regardless.
    diagnostics_.report(DiagnosticKind::internal_parser_error, range(node),
                        fmt::format("internal error: unexpected syntax node `{}`", node.type));
    return add(make(ast::ExprKind::null_literal, range(node)), {});
  }

  // A score item's weight: a number literal, negated when written with `-`.
  ast::ExprId score_weight(const Node& node) {
    const Node& number = *node.children.at(0);
    ast::Expr literal = make(ast::ExprKind::number_literal, range(number));
    literal.text = number.string();
    const ast::ExprId value = add(std::move(literal), {});
    if (node.string_view().front() != '-') {
      return value;
    }
    ast::Expr negated = make(ast::ExprKind::unary, range(node));
    negated.unary_operator = ast::UnaryOperator::negate;
    negated.operator_range = SourceRange{file_, range(node).offset, 1};
    return add(std::move(negated), {value});
  }

  void declaration(const Node& node) {
    if (node.is_type<g::guideline_declaration>()) {
      ast::GuidelineHeader header;
      header.range = range(node);
      for (const auto& child : node.children) {
        if (child->is_type<g::guideline_id>()) {
          header.id = ast::Named{text(*child), range(*child)};
        } else if (child->is_type<g::title>()) {
          header.title = text(*child);
        } else if (child->is_type<g::version>()) {
          header.version = text(*child);
        } else if (child->is_type<g::hook_name>()) {
          header.hooks.push_back(named(*child));
        }
      }
      push(ast::DeclarationKind::guideline, module_.headers, std::move(header));
    } else if (node.is_type<g::source_declaration>()) {
      ast::SourceDeclaration source;
      source.range = range(node);
      source.number_range = range(*node.children.at(0));
      source.number = number(*node.children.at(0));
      source.citation = text(*node.children.at(1));
      push(ast::DeclarationKind::source, module_.sources, std::move(source));
    } else if (node.is_type<g::fact_declaration>()) {
      fact(node);
    } else if (node.is_type<g::code_system_declaration>()) {
      ast::CodeSystemDeclaration system;
      system.range = range(node);
      system.name = named(*node.children.at(0));
      system.uri = ast::Named{text(*node.children.at(1)), range(*node.children.at(1))};
      push(ast::DeclarationKind::code_system, module_.code_systems, std::move(system));
    } else if (node.is_type<g::value_set_declaration>()) {
      ast::ValueSetDeclaration value_set;
      value_set.range = range(node);
      for (const auto& child : node.children) {
        if (child->is_type<g::value_set_name>()) {
          value_set.name = named(*child);
        } else if (child->is_type<g::code_reference>()) {
          value_set.codes.push_back(code_reference(*child));
        } else if (child->is_type<g::description>()) {
          value_set.description = text(*child);
        }
      }
      push(ast::DeclarationKind::value_set, module_.value_sets, std::move(value_set));
    } else if (node.is_type<g::parameter_declaration>()) {
      ast::ParameterDeclaration parameter;
      parameter.range = range(node);
      parameter.name = named(*node.children.at(0));
      parameter.value = expression(*node.children.at(1));
      if (node.children.size() > 2) {
        parameter.description = text(*node.children[2]);
      }
      push(ast::DeclarationKind::parameter, module_.parameters, std::move(parameter));
    } else if (node.is_type<g::definition_declaration>()) {
      ast::Definition definition;
      definition.range = range(node);
      definition.name = named(*node.children.at(0));
      definition.value = expression(*node.children.at(1));
      if (node.children.size() > 2) {
        definition.description = text(*node.children[2]);
      }
      push(ast::DeclarationKind::definition, module_.definitions, std::move(definition));
    } else if (node.is_type<g::recommendation_declaration>()) {
      recommendation(node);
    } else if (node.is_type<g::coverage_declaration>()) {
      ast::CoverageDeclaration coverage;
      coverage.range = range(node);
      coverage.keyword_range = SourceRange{file_, coverage.range.offset, 8};
      coverage.condition = expression(*node.children.at(0));
      if (node.children.size() > 1) {
        coverage.description = text(*node.children[1]);
      }
      push(ast::DeclarationKind::coverage, module_.coverage, std::move(coverage));
    }
  }

 private:
  ast::Expr make(ast::ExprKind kind, SourceRange where) const {
    ast::Expr expr;
    expr.kind = kind;
    expr.range = where;
    return expr;
  }

  ast::ExprId add(ast::Expr expr, const std::vector<ast::ExprId>& operands) {
    expr.first_operand = static_cast<std::uint32_t>(module_.operands.size());
    expr.operand_count = static_cast<std::uint32_t>(operands.size());
    module_.operands.insert(module_.operands.end(), operands.begin(), operands.end());
    module_.expressions.push_back(std::move(expr));
    return ast::ExprId{static_cast<std::uint32_t>(module_.expressions.size() - 1)};
  }

  template <typename T>
  void push(ast::DeclarationKind kind, std::vector<T>& list, T value) {
    module_.order.push_back({kind, static_cast<std::uint32_t>(list.size())});
    list.push_back(std::move(value));
  }

  static std::string text(const Node& node) { return unescape(without_quotes(node.string_view())); }

  ast::Named named(const Node& node) const { return ast::Named{node.string(), range(node)}; }

  std::uint32_t number(const Node& node) {
    const std::string digits = node.string();
    if (digits.size() > 6) {
      diagnostics_.report(
          DiagnosticKind::source_number_too_large, range(node),
          fmt::format("source number {} is too large; the limit is 999999", in_backticks(digits)));
      return 0;
    }
    return static_cast<std::uint32_t>(std::stoul(digits));
  }

  static ast::BinaryOperator binary_operator(const Node& op) {
    using B = ast::BinaryOperator;
    if (op.is_type<g::op_and>()) {
      return B::logical_and;
    }
    if (op.is_type<g::op_or>()) {
      return B::logical_or;
    }
    if (op.is_type<g::op_xor>()) {
      return B::logical_xor;
    }
    if (op.is_type<g::op_implies>()) {
      return B::implies;
    }
    if (op.is_type<g::op_equal>()) {
      return B::equal;
    }
    if (op.is_type<g::op_not_equal>()) {
      return B::not_equal;
    }
    if (op.is_type<g::op_equivalent>()) {
      return B::equivalent;
    }
    if (op.is_type<g::op_not_equivalent>()) {
      return B::not_equivalent;
    }
    if (op.is_type<g::op_less>()) {
      return B::less;
    }
    if (op.is_type<g::op_less_or_equal>()) {
      return B::less_or_equal;
    }
    if (op.is_type<g::op_greater>()) {
      return B::greater;
    }
    if (op.is_type<g::op_greater_or_equal>()) {
      return B::greater_or_equal;
    }
    if (op.is_type<g::op_plus>()) {
      return B::add;
    }
    if (op.is_type<g::op_minus>()) {
      return B::subtract;
    }
    if (op.is_type<g::op_times>()) {
      return B::multiply;
    }
    if (op.is_type<g::op_divide>()) {
      return B::divide;
    }
    if (op.is_type<g::op_div>()) {
      return B::truncated_divide;
    }
    return B::modulo;
  }

  // operand (op operand)*, folded to the left.
  ast::ExprId left_associative(const Node& node) {
    ast::ExprId left = expression(*node.children.front());
    for (std::size_t i = 1; i + 1 < node.children.size(); i += 2) {
      const Node& op = *node.children[i];
      const ast::ExprId right = expression(*node.children[i + 1]);
      const SourceRange whole = module_.at(left).range.to(module_.at(right).range);
      if (op.is_type<g::op_in>()) {
        ast::Expr expr = make(ast::ExprKind::membership, whole);
        expr.operator_range = range(op);
        left = add(std::move(expr), {left, right});
        continue;
      }
      ast::Expr expr = make(ast::ExprKind::binary, whole);
      expr.binary_operator = binary_operator(op);
      expr.operator_range = range(op);
      left = add(std::move(expr), {left, right});
    }
    return left;
  }

  ast::ExprId test(const Node& suffix, ast::ExprId operand) {
    const Node& op = *suffix.children.at(0);
    const Node& what = *suffix.children.at(1);
    const bool negated = op.is_type<g::op_is_not>();
    ast::Expr expr = make(ast::ExprKind::test, module_.at(operand).range.to(range(suffix)));
    expr.operator_range = range(suffix);
    if (what.is_type<g::null_literal>()) {
      expr.test_operator = negated ? ast::TestOperator::is_not_null : ast::TestOperator::is_null;
    } else if (what.is_type<g::true_literal>()) {
      expr.test_operator = negated ? ast::TestOperator::is_not_true : ast::TestOperator::is_true;
    } else {
      expr.test_operator = negated ? ast::TestOperator::is_not_false : ast::TestOperator::is_false;
    }
    return add(std::move(expr), {operand});
  }

  ast::ExprId quantity(const Node& node) {
    const std::string_view all = node.string_view();
    std::size_t i = 0;
    while (i < all.size() &&
           (std::isdigit(static_cast<unsigned char>(all[i])) != 0 || all[i] == '.')) {
      ++i;
    }
    ast::Expr expr = make(ast::ExprKind::quantity_literal, range(node));
    expr.text = std::string(all.substr(0, i));
    while (i < all.size() && (all[i] == ' ' || all[i] == '\t')) {
      ++i;
    }
    const std::string_view unit = all.substr(i);
    expr.unit = unit.starts_with('\'') ? unescape(without_quotes(unit)) : std::string(unit);
    return add(std::move(expr), {});
  }

  void fact(const Node& node) {
    ast::FactDeclaration fact;
    fact.range = range(node);
    for (const auto& child_pointer : node.children) {
      const Node& child = *child_pointer;
      if (child.is_type<g::fact_name>()) {
        fact.name = named(child);
      } else if (child.is_type<g::description>()) {
        fact.description = text(child);
      } else if (child.is_type<g::range_between>()) {
        fact.limits.push_back({ast::Bound::at_least, expression(*child.children.at(0))});
        fact.limits.push_back({ast::Bound::at_most, expression(*child.children.at(1))});
      } else if (child.is_type<g::range_comparison>()) {
        const Node& op = *child.children.at(0);
        const ast::Bound bound = op.is_type<g::op_greater_or_equal>() ? ast::Bound::at_least
                                 : op.is_type<g::op_greater>()        ? ast::Bound::above
                                 : op.is_type<g::op_less_or_equal>()  ? ast::Bound::at_most
                                                                      : ast::Bound::below;
        fact.limits.push_back({bound, expression(*child.children.at(1))});
      } else if (child.is_type<g::accepted_unit>()) {
        fact.units.push_back(ast::Named{text(child), range(child)});
      } else if (child.is_type<g::conversion_clause>()) {
        fact.conversions.push_back(conversion(child));
      } else if (child.is_type<g::binding_clause>()) {
        fact.binding = binding(child);
      } else {
        fact.type = type(child);
      }
    }
    push(ast::DeclarationKind::fact, module_.facts, std::move(fact));
  }

  ast::CodeReference code_reference(const Node& node) const {
    ast::CodeReference code;
    code.range = range(node);
    code.system = named(*node.children.at(0));
    code.code = ast::Named{text(*node.children.at(1)), range(*node.children.at(1))};
    return code;
  }

  ast::BindingClause binding(const Node& node) const {
    ast::BindingClause binding;
    binding.range = range(node);
    for (const auto& child_pointer : node.children) {
      const Node& child = *child_pointer;
      if (child.is_type<g::from_word>()) {
        const SourceRange word = range(child);
        binding.range = SourceRange{word.file, word.offset, binding.range.end() - word.offset};
      } else if (child.is_type<g::most_recent>()) {
        binding.most_recent = true;
      } else if (child.is_type<g::resource_type>()) {
        binding.resource_type = named(child);
      } else if (child.is_type<g::coded_target>()) {
        binding.value_set = named(child);
      } else if (child.is_type<g::coded_code>()) {
        // `coded SYSTEM 'code'`: the target read just before is the code system.
        ast::CodeReference code;
        code.system = *binding.value_set;
        code.code = ast::Named{text(child), range(child)};
        code.range = code.system.range.to(code.code.range);
        binding.code = std::move(code);
        binding.value_set.reset();
      } else if (child.is_type<g::binding_filter>()) {
        ast::BindingFilter filter;
        for (const auto& part : child.children) {
          if (part->is_type<g::filter_element>()) {
            filter.element = named(*part);
          } else if (part->is_type<g::filter_negated>()) {
            filter.negated = true;
          } else if (part->is_type<g::status_code>()) {
            filter.codes.push_back(named(*part));
          }
        }
        binding.filters.push_back(std::move(filter));
      } else if (child.is_type<g::window_amount>()) {
        binding.window_amount = named(child);
      } else if (child.is_type<g::window_unit>()) {
        binding.window_unit = named(child);
      } else if (child.is_type<g::element_name>()) {
        binding.elements.push_back(named(child));
      } else if (child.is_type<g::element_unit>()) {
        binding.unit = ast::ElementUnit{binding.elements.back(), {text(child), range(child)}};
      } else if (child.is_type<g::presence_value>()) {
        binding.value = ast::BindingValueKind::presence;
        binding.value_range = named(child);
      } else if (child.is_type<g::count_value>()) {
        binding.value = ast::BindingValueKind::count;
        binding.value_range = named(child);
      } else if (child.is_type<g::exists_value>()) {
        binding.value = ast::BindingValueKind::exists;
        binding.value_range = named(child);
        binding.otherwise_false = !child.children.empty();
      } else if (child.is_type<g::since_unit>()) {
        binding.value = ast::BindingValueKind::since;
        binding.value_range = named(child);
      }
    }
    return binding;
  }

  ast::UnitConversion conversion(const Node& node) {
    ast::UnitConversion conversion;
    conversion.range = range(node);
    for (const auto& child_pointer : node.children) {
      const Node& child = *child_pointer;
      if (child.is_type<g::conversion_from>()) {
        conversion.from = ast::Named{text(child), range(child)};
      } else if (child.is_type<g::conversion_factor>()) {
        conversion.factor = named(child);
      } else if (child.is_type<g::conversion_to>()) {
        conversion.to = ast::Named{text(child), range(child)};
      } else if (child.is_type<g::conversion_citation>()) {
        conversion.source = {number(child), range(child)};
      } else if (child.is_type<g::conversion_citation_text>()) {
        conversion.source_text = text(child);
        conversion.source.range = range(child);
        conversion.cites_text = true;
      }
    }
    return conversion;
  }

  ast::TypeSpec type(const Node& node) const {
    ast::TypeSpec spec;
    spec.range = range(node);
    using T = ast::TypeName;
    if (node.is_type<g::type_boolean>()) {
      spec.name = T::boolean;
    }
    if (node.is_type<g::type_integer>()) {
      spec.name = T::integer;
    }
    if (node.is_type<g::type_decimal>()) {
      spec.name = T::decimal;
    }
    if (node.is_type<g::type_string>()) {
      spec.name = T::string;
    }
    if (node.is_type<g::type_duration>()) {
      spec.name = T::duration;
    }
    if (node.is_type<g::type_date>()) {
      spec.name = T::date;
    }
    if (node.is_type<g::type_date_time>()) {
      spec.name = T::date_time;
    }
    if (node.is_type<g::type_mass>()) {
      spec.name = T::mass;
    }
    if (node.is_type<g::type_length>()) {
      spec.name = T::length;
    }
    if (node.is_type<g::type_volume>()) {
      spec.name = T::volume;
    }
    if (node.is_type<g::type_quantity>()) {
      spec.name = T::quantity;
      spec.unit = unescape(without_quotes(node.children.at(0)->string_view()));
    }
    if (node.is_type<g::type_coding>()) {
      spec.name = T::coding;
    }
    if (node.is_type<g::type_code>()) {
      spec.name = T::code;
      for (const auto& code : node.children) {
        spec.codes.push_back(unescape(without_quotes(code->string_view())));
        spec.code_ranges.push_back(range(*code));
      }
    }
    return spec;
  }

  void recommendation(const Node& node) {
    ast::RecommendationDeclaration recommendation;
    recommendation.range = range(node);
    for (const auto& child_pointer : node.children) {
      const Node& child = *child_pointer;
      if (child.is_type<g::recommendation_id>()) {
        recommendation.id = named(child);
      } else if (child.is_type<g::kind_name>()) {
        recommendation.kind = named(child);
      } else if (child.is_type<g::indicator_name>()) {
        recommendation.indicator = named(child);
      } else if (child.is_type<g::recommendation_text>()) {
        recommendation.text = text(child);
      } else if (child.is_type<g::recommendation_summary>()) {
        recommendation.summary = text(child);
        recommendation.summary_range = range(child);
      } else if (child.is_type<g::citation>()) {
        recommendation.citations.push_back({number(child), range(child)});
      } else if (child.is_type<g::evidence_text>()) {
        recommendation.evidence = text(child);
      } else if (child.is_type<g::carried_parameter>()) {
        recommendation.carried.push_back(named(child));
      } else if (child.is_type<g::reported_name>()) {
        recommendation.reported.push_back(named(child));
      } else if (child.is_type<g::excluded_recommendation>()) {
        recommendation.excluded.push_back(named(child));
      } else {
        recommendation.condition = expression(child);
      }
    }
    push(ast::DeclarationKind::recommendation, module_.recommendations, std::move(recommendation));
  }

  ast::Module& module_;
  FileId file_;
  Diagnostics& diagnostics_;
};

// The opening `/*` of an unterminated block comment, from the offset of the error, which the
// grammar raises right after the `/*` (must<unterminated_block_comment>).
std::size_t unclosed_comment(std::size_t error_offset) {
  return error_offset >= 2 ? error_offset - 2 : 0;
}

bool is_reserved(std::string_view word) {
  pegtl::memory_input<> input(word.data(), word.data() + word.size(), "");
  return pegtl::parse<pegtl::seq<g::reserved_word, pegtl::eof>>(input);
}

void report_parse_error(const pegtl::parse_error& error, std::string_view text, FileId file,
                        Diagnostics& diagnostics) {
  const std::size_t offset = error.positions().empty() ? 0 : error.positions().front().byte;
  auto at = static_cast<std::uint32_t>(std::min(offset, text.size()));
  std::string message(error.message());
  DiagnosticKind kind = DiagnosticKind::syntax_error;
  std::uint32_t length = at < text.size() ? 1 : 0;
  if (message == kTooDeep || message == kTooNested) {
    kind = DiagnosticKind::nested_too_deeply;
    message = fmt::format(
        "expression nested too deeply (more than {} levels); move parts of it into definitions",
        kMaxNestingDepth);
  } else if (message == kTreeTooDeep) {
    kind = DiagnosticKind::nested_too_deeply;
    message = tree_too_deep_message();
  } else if (message == kTooManyNodes) {
    kind = DiagnosticKind::too_many_declarations;
    message = too_many_nodes_message();
  } else if (message.starts_with("unterminated block comment")) {
    kind = DiagnosticKind::unterminated_comment;
    at = static_cast<std::uint32_t>(unclosed_comment(offset));
    length = 2;
  } else if (message.starts_with("unterminated")) {
    kind = DiagnosticKind::unterminated_comment;
  } else {
    const std::string found = found_at(text, at);
    message += fmt::format("; found {}", found);
    if (found.size() > 2 && is_reserved(std::string_view(found).substr(1, found.size() - 2))) {
      message += ", a reserved word";
    }
  }
  diagnostics.report(kind, SourceRange{file, at, length}, message);
}

// Reports expressions nested more deeply than kMaxExpressionDepth (long operator chains nest
// too: `a + b + c` is `(a + b) + c`); true when any is. Operands precede their users in
// `expressions`, so one forward pass computes every depth.
bool too_deep(const ast::Module& module, std::size_t first, std::vector<std::uint32_t>& depth,
              Diagnostics& diagnostics) {
  depth.resize(module.expressions.size(), 0);
  for (std::size_t i = first; i < module.expressions.size(); ++i) {
    const ast::Expr& expr = module.expressions[i];
    std::uint32_t deepest = 0;
    for (const ast::ExprId operand : module.operands_of(expr)) {
      deepest = std::max(deepest, depth[operand.value]);
    }
    depth[i] = deepest + 1;
    if (depth[i] > kMaxExpressionDepth) {
      diagnostics.report(DiagnosticKind::nested_too_deeply, expr.range, tree_too_deep_message());
      return true;
    }
  }
  return false;
}

bool starts_declaration(std::string_view line) {
  for (const std::string_view keyword : {"guideline", "source", "fact", "parameter", "define",
                                         "recommendation", "coverage", "codesystem", "valueset"}) {
    if (line.starts_with(keyword) &&
        (line.size() == keyword.size() ||
         !(std::isalnum(static_cast<unsigned char>(line[keyword.size()])) != 0 ||
           line[keyword.size()] == '_'))) {
      return true;
    }
  }
  return false;
}

// The offset of the next line after `offset` that starts with a declaration keyword in
// column 1, or the end of the text.
std::size_t resume_point(std::string_view text, std::size_t offset) {
  std::size_t line = text.find('\n', offset);
  while (line != std::string_view::npos) {
    ++line;
    if (starts_declaration(text.substr(line))) {
      return line;
    }
    line = text.find('\n', line);
  }
  return text.size();
}

// Where to resume after a syntax error at `error_offset` in the declaration that begins at
// `start`: the line of the error, when it begins a new declaration (the failed one was left
// incomplete), else the next line after the error that begins one. Never a line inside the
// failed declaration before the error, which may be in a comment or a string.
std::size_t resume_after_error(std::string_view text, std::size_t start, std::size_t error_offset) {
  const std::size_t from = std::max(start, std::min(error_offset, text.size()));
  const std::size_t newline = from == 0 ? std::string_view::npos : text.rfind('\n', from - 1);
  const std::size_t line = newline == std::string_view::npos ? 0 : newline + 1;
  if (line > start && starts_declaration(text.substr(line))) {
    return line;
  }
  return resume_point(text, from);
}

// Where the declaration that failed begins: after the separators at `position`.
std::size_t declaration_start(std::string_view text, std::size_t position,
                              const std::string& name) {
  pegtl::memory_input<> input(text.data() + position, text.data() + text.size(), name, position, 1,
                              1);
  try {
    if (pegtl::parse<g::separator>(input)) {
      return input.byte();
    }
  } catch (const pegtl::parse_error&) {
    // An unterminated comment: nothing after it can be a declaration.
    return text.size();
  }
  return position;
}

// The UTF-8 character that starts at `offset` of `text`.
std::string_view utf8_character(std::string_view text, std::size_t offset) {
  std::size_t end = offset + 1;
  while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) {
    ++end;
  }
  return text.substr(offset, end - offset);
}

// Checks the body of a quoted string or text (without its quotes; `offset` is where it starts
// in the file): reports a control character (E0109) and an unknown or invalid escape (E0111),
// and returns the size in bytes of the decoded string, or nullopt after an error.
std::optional<std::size_t> check_string(std::string_view body, std::size_t offset, FileId file,
                                        Diagnostics& diagnostics) {
  const auto at = [&](std::size_t i, std::size_t length) {
    return SourceRange{file, static_cast<std::uint32_t>(offset + i),
                       static_cast<std::uint32_t>(length)};
  };
  std::size_t size = 0;
  bool ok = true;
  std::size_t i = 0;
  while (i < body.size()) {
    const auto byte = static_cast<unsigned char>(body[i]);
    const bool c1 = byte == 0xC2U && i + 1 < body.size() &&
                    static_cast<unsigned char>(body[i + 1]) >= 0x80U &&
                    static_cast<unsigned char>(body[i + 1]) <= 0x9FU;
    if ((byte < 0x20U && byte != '\t') || byte == 0x7FU || c1) {
      const unsigned code = c1 ? static_cast<unsigned char>(body[i + 1]) : byte;
      diagnostics.report(DiagnosticKind::control_character, at(i, c1 ? 2 : 1),
                         fmt::format("invalid character U+{:04X} in a string; control characters "
                                     "must be written as escapes such as `\\n` or `\\u{:04X}`",
                                     code, code));
      ok = false;
      i += c1 ? 2 : 1;
      continue;
    }
    if (byte != '\\' || i + 1 >= body.size()) {
      ++size;
      ++i;
      continue;
    }
    const char next = body[i + 1];
    if (next == '\'' || next == '"' || next == '\\' || next == '/' || next == 'f' || next == 'n' ||
        next == 'r' || next == 't') {
      ++size;
      i += 2;
      continue;
    }
    if (next != 'u') {
      diagnostics.report(
          DiagnosticKind::bad_escape, at(i, 2),
          fmt::format("unknown escape `\\{}`; the escapes are `\\'`, `\\\"`, `\\\\`, `\\/`, "
                      "`\\f`, `\\n`, `\\r`, `\\t` and `\\u` with four hex digits; write `\\\\` "
                      "for a backslash",
                      utf8_character(body, i + 1)));
      ok = false;
      i += 2;
      continue;
    }
    const std::optional<unsigned> code = hex4(body.substr(i + 2));
    if (!code) {
      const std::size_t length = std::min<std::size_t>(6, body.size() - i);
      diagnostics.report(DiagnosticKind::bad_escape, at(i, length),
                         fmt::format("invalid escape {}; `\\u` takes four hex digits, as in "
                                     "`\\u00E9`",
                                     in_backticks(body.substr(i, length))));
      ok = false;
      i += 2;
      continue;
    }
    std::string decoded;
    if (!append_code_point(body.substr(i + 2, 4), decoded, body.substr(i + 6))) {
      diagnostics.report(DiagnosticKind::bad_escape, at(i, 6),
                         fmt::format("invalid escape {}: a lone UTF-16 surrogate is not a "
                                     "character; write a high surrogate followed by a low one, "
                                     "as in `\\uD83D\\uDE00`",
                                     in_backticks(body.substr(i, 6))));
      ok = false;
      i += 6;
      continue;
    }
    size += decoded.size();
    i += decoded.size() == 4 ? 12 : 6;
  }
  if (!ok) {
    return std::nullopt;
  }
  return size;
}

// Reports names longer than kMaxIdentifierBytes (E0106), strings whose decoded content is
// longer than kMaxStringBytes (E0107), and control characters and bad escapes in strings
// (E0109, E0111) in a parsed declaration or expression; true when any is. The tree's depth is
// bounded by the parser's nesting limit, so the recursion is bounded too.
bool too_long(const Node& node, FileId file, Diagnostics& diagnostics) {
  bool found = false;
  const std::size_t size = node.has_content() ? node.end().byte - node.begin().byte : 0;
  const SourceRange where{file, static_cast<std::uint32_t>(node.begin().byte),
                          static_cast<std::uint32_t>(size)};
  if ((node.is_type<g::name>() || node.is_type<g::function_name>() ||
       node.is_type<g::fact_name>() || node.is_type<g::parameter_name>() ||
       node.is_type<g::definition_name>() || node.is_type<g::recommendation_id>() ||
       node.is_type<g::kind_name>() || node.is_type<g::indicator_name>() ||
       node.is_type<g::hook_name>() || node.is_type<g::carried_parameter>() ||
       node.is_type<g::reported_name>() || node.is_type<g::excluded_recommendation>() ||
       node.is_type<g::coding_system>()) &&
      size > kMaxIdentifierBytes) {
    diagnostics.report(DiagnosticKind::name_too_long, SourceRange{where.file, where.offset, 1},
                       fmt::format("name is too long ({} bytes); the limit is {} bytes", size,
                                   kMaxIdentifierBytes));
    found = true;
  } else if (node.is_type<g::string_literal>() || node.is_type<g::guideline_id>() ||
             node.is_type<g::title>() || node.is_type<g::version>() ||
             node.is_type<g::citation_text>() || node.is_type<g::description>() ||
             node.is_type<g::recommendation_text>() || node.is_type<g::recommendation_summary>() ||
             node.is_type<g::evidence_text>() || node.is_type<g::unit_string>() ||
             node.is_type<g::code_value>() || node.is_type<g::coding_code>() ||
             node.is_type<g::accepted_unit>() || node.is_type<g::conversion_from>() ||
             node.is_type<g::conversion_to>() || node.is_type<g::conversion_citation_text>()) {
    const std::optional<std::size_t> decoded =
        check_string(without_quotes(node.string_view()), where.offset + 1, file, diagnostics);
    if (!decoded) {
      found = true;
    } else if (*decoded > kMaxStringBytes) {
      diagnostics.report(DiagnosticKind::string_too_long, SourceRange{where.file, where.offset, 1},
                         fmt::format("string is too long ({} bytes); the limit is {} bytes",
                                     *decoded, kMaxStringBytes));
      found = true;
    }
  }
  for (const auto& child : node.children) {
    found = too_long(*child, file, diagnostics) || found;
  }
  return found;
}

bool too_large(const SourceManager& sources, FileId file, Diagnostics& diagnostics) {
  if (sources.text(file).size() <= kMaxSourceBytes) {
    if (const std::optional<std::size_t> bad = invalid_utf8(sources.text(file))) {
      diagnostics.report(DiagnosticKind::invalid_utf8,
                         SourceRange{file, static_cast<std::uint32_t>(*bad), 1},
                         "invalid UTF-8; rule files and expressions must be UTF-8 text");
      return true;
    }
    return false;
  }
  diagnostics.report(DiagnosticKind::file_too_large, SourceRange{file, 0, 0},
                     fmt::format("file is too large ({} bytes); the limit is {} bytes",
                                 sources.text(file).size(), kMaxSourceBytes));
  return true;
}

}  // namespace

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  return invalid_utf8(text);
}

ast::Module parse_module(const SourceManager& sources, FileId file, Diagnostics& diagnostics,
                         TokenStream* tokens) {
  ast::Module module;
  module.file = file;
  if (tokens != nullptr) {
    *tokens = TokenStream{};
  }
  if (too_large(sources, file, diagnostics)) {
    return module;
  }
  const std::string_view text = sources.text(file);
  const std::string name(sources.name(file));
  Lowering lowering(module, file, diagnostics);
  std::vector<std::uint32_t> depth;
  std::size_t position = 0;
  // The end of the text that is parsed: an unterminated block comment cuts the file short, so
  // that the declarations before it are kept and nothing inside it is read as a declaration.
  std::size_t end = text.size();
  TokenRecorder recorder(text.data(), tokens);
  while (position < end) {
    pegtl::memory_input<> input(text.data() + position, text.data() + end, name, position, 1, 1);
    try {
      DepthTracker tracker;
      tracker.budget =
          kMaxExpressionNodes - std::min(kMaxExpressionNodes, module.expressions.size());
      auto root =
          pegtl::parse_tree::parse<g::next_declaration, Node, selector, parse_action, g::control>(
              input, tracker, recorder);
      if (!root) {
        break;  // not reachable: next_declaration either matches or raises
      }
      const std::size_t first = module.expressions.size();
      too_long(*root, file, diagnostics);
      for (const auto& child : root->children) {
        lowering.declaration(*child);
      }
      too_deep(module, first, depth, diagnostics);
      if (module.order.size() > kMaxDeclarations) {
        diagnostics.report(DiagnosticKind::too_many_declarations,
                           root->children.empty()
                               ? SourceRange{file, static_cast<std::uint32_t>(position), 0}
                               : lowering.range(*root->children.back()),
                           fmt::format("too many declarations (more than {}); split the "
                                       "guideline, or move repeated logic into definitions",
                                       kMaxDeclarations));
        break;
      }
      const std::size_t next = input.byte();
      if (next <= position) {
        break;
      }
      position = next;
    } catch (const pegtl::parse_error& error) {
      const std::size_t offset =
          error.positions().empty() ? position : error.positions().front().byte;
      if (end < text.size() && offset >= end) {
        break;  // the declaration the open comment cut short: its error is the comment's
      }
      report_parse_error(error, text, file, diagnostics);
      if (error.message() == kTooManyNodes) {
        break;  // like E0108 for declarations: the rest of the file is not parsed
      }
      if (std::string_view(error.message()).starts_with("unterminated block comment")) {
        end = unclosed_comment(offset);  // parse again up to the comment
        continue;
      }
      position = resume_after_error(text, declaration_start(text, position, name), offset);
    }
  }
  return module;
}

std::optional<ast::ExprId> parse_expression(const SourceManager& sources, FileId file,
                                            ast::Module& module, Diagnostics& diagnostics) {
  if (too_large(sources, file, diagnostics)) {
    return std::nullopt;
  }
  const std::string_view text = sources.text(file);
  pegtl::memory_input<> input(text.data(), text.data() + text.size(),
                              std::string(sources.name(file)));
  Lowering lowering(module, file, diagnostics);
  try {
    DepthTracker tracker;
    tracker.budget = kMaxExpressionNodes;
    TokenRecorder recorder(text.data(), nullptr);
    auto root =
        pegtl::parse_tree::parse<g::expression_input, Node, selector, parse_action, g::control>(
            input, tracker, recorder);
    if (!root || root->children.empty()) {
      return std::nullopt;
    }
    if (too_long(*root, file, diagnostics)) {
      return std::nullopt;
    }
    const std::size_t first = module.expressions.size();
    const ast::ExprId expression = lowering.expression(*root->children.front());
    std::vector<std::uint32_t> depth;
    if (too_deep(module, first, depth, diagnostics)) {
      return std::nullopt;
    }
    return expression;
  } catch (const pegtl::parse_error& error) {
    report_parse_error(error, text, file, diagnostics);
    return std::nullopt;
  }
}

}  // namespace rubric
