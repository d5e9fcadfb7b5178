#include "lsp/message_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace rubric::lsp {
namespace {

constexpr std::string_view kContentLength = "content-length";

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// A header line for a message, printable and short.
std::string shown_line(std::string_view line) {
  std::string out;
  for (const char c : line.substr(0, 60)) {
    const auto byte = static_cast<unsigned char>(c);
    out += byte >= 0x20 && byte < 0x7F ? std::string(1, c) : fmt::format("\\x{:02x}", byte);
  }
  return line.size() > 60 ? out + "..." : out;
}

// The offset just past the empty line ending a header block (`\r\n\r\n`, or `\n\n` from a
// lenient client), or npos.
std::size_t header_block_end(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') {
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '\n') {
      return i + 2;
    }
    if (i + 2 < text.size() && text[i + 1] == '\r' && text[i + 2] == '\n') {
      return i + 3;
    }
  }
  return std::string_view::npos;
}

}  // namespace

void MessageReader::fail(std::string problem, std::vector<ReadEvent>& events) {
  events.push_back({ReadEvent::Kind::framing_error, std::move(problem)});
  headers_.clear();
  body_.clear();
  resync_tail_.clear();
  state_ = State::resync;
}

void MessageReader::finish_headers(std::vector<ReadEvent>& events) {
  std::optional<std::size_t> length;
  std::string_view block = headers_;
  while (!block.empty()) {
    const std::size_t line_end = block.find('\n');
    std::string_view line = block.substr(0, line_end);
    block.remove_prefix(line_end == std::string_view::npos ? block.size() : line_end + 1);
    line = trim(line);
    if (line.empty()) {
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return fail(fmt::format("header `{}` is not `Name: value`", shown_line(line)), events);
    }
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (equal_ignoring_case(name, kContentLength)) {
      std::size_t parsed = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (value.empty() || error != std::errc() || end != value.data() + value.size()) {
        return fail(fmt::format("Content-Length `{}` is not a number of bytes", shown_line(value)),
                    events);
      }
      length = parsed;
    } else if (equal_ignoring_case(name, "content-type")) {
      std::string lower(value);
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      const std::size_t charset = lower.find("charset=");
      if (charset != std::string::npos) {
        const std::string_view name_of_set = trim(std::string_view(lower).substr(charset + 8));
        if (!name_of_set.starts_with("utf-8") && !name_of_set.starts_with("utf8")) {
          events.push_back({ReadEvent::Kind::framing_error,
                            fmt::format("Content-Type `{}` is not UTF-8; the body is read as UTF-8",
                                        shown_line(value))});
        }
      }
    }
  }
  headers_.clear();
  if (!length) {
    return fail("a message has no Content-Length header", events);
  }
  remaining_ = *length;
  if (*length > kMaxMessageBytes) {
    events.push_back({ReadEvent::Kind::framing_error,
                      fmt::format("a message of {} bytes is longer than the limit of {} bytes; "
                                  "it is skipped",
                                  *length, kMaxMessageBytes),
                      true});
    state_ = State::skip_body;
    return;
  }
  body_.clear();
  body_.reserve(std::min<std::size_t>(*length, std::size_t{1} << 20U));
  state_ = State::body;
  if (remaining_ == 0) {
    events.push_back({ReadEvent::Kind::message, std::string()});
    state_ = State::headers;
  }
}

void MessageReader::feed(std::string_view bytes, std::vector<ReadEvent>& events) {
  while (!bytes.empty()) {
    switch (state_) {
      case State::headers: {
        // Only the new bytes and the three before them can complete the block's end.
        const std::size_t searched_from = headers_.size() > 3 ? headers_.size() - 3 : 0;
        const std::size_t room = kMaxHeaderBytes + 1 - headers_.size();
        const std::size_t taken = std::min(room, bytes.size());
        headers_.append(bytes.substr(0, taken));
        const std::size_t end = header_block_end(std::string_view(headers_).substr(searched_from));
        if (end == std::string_view::npos) {
          bytes.remove_prefix(taken);
          if (headers_.size() > kMaxHeaderBytes) {
            fail(fmt::format("a header block is longer than {} bytes", kMaxHeaderBytes), events);
          }
          break;
        }
        const std::size_t block_end = searched_from + end;
        // The bytes after the block belong to the body: give them back.
        const std::size_t unused = headers_.size() - block_end;
        bytes.remove_prefix(taken - unused);
        headers_.resize(block_end);
        finish_headers(events);
        break;
      }
      case State::body: {
        const std::size_t taken = std::min(remaining_, bytes.size());
        body_.append(bytes.substr(0, taken));
        bytes.remove_prefix(taken);
        remaining_ -= taken;
        if (remaining_ == 0) {
          events.push_back({ReadEvent::Kind::message, std::move(body_)});
          body_ = std::string();
          state_ = State::headers;
        }
        break;
      }
      case State::skip_body: {
        const std::size_t taken = std::min(remaining_, bytes.size());
        bytes.remove_prefix(taken);
        remaining_ -= taken;
        if (remaining_ == 0) {
          state_ = State::headers;
        }
        break;
      }
      case State::resync: {
        // Looks for `Content-Length` (in any case) across pieces: the tail keeps the bytes
        // before this piece that could start it.
        const std::size_t taken = std::min<std::size_t>(bytes.size(), 4096);
        const std::size_t tail_before = resync_tail_.size();
        resync_tail_.append(bytes.substr(0, taken));
        std::string lower = resync_tail_;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const std::size_t found = lower.find(kContentLength);
        if (found == std::string::npos) {
          bytes.remove_prefix(taken);
          const std::size_t keep = kContentLength.size() - 1;
          if (resync_tail_.size() > keep) {
            resync_tail_.erase(0, resync_tail_.size() - keep);
          }
          break;
        }
        // The header block restarts at the header found; the piece's bytes from there on are
        // read again as headers.
        if (found >= tail_before) {
          bytes.remove_prefix(found - tail_before);
          headers_.clear();
        } else {
          headers_ = resync_tail_.substr(found, tail_before - found);
        }
        resync_tail_.clear();
        state_ = State::headers;
        break;
      }
    }
  }
}

bool MessageReader::inside_message() const {
  switch (state_) {
    case State::headers:
      return std::any_of(headers_.begin(), headers_.end(),
                         [](char c) { return c != '\r' && c != '\n' && c != ' ' && c != '\t'; });
    case State::body:
    case State::skip_body: return true;
    case State::resync: return false;
  }
  return false;
}

std::optional<std::string> json_shape_problem(std::string_view text) {
  std::size_t depth = 0;
  std::size_t values = 1;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > kMaxJsonDepth) {
          return fmt::format("the message nests JSON deeper than {} levels", kMaxJsonDepth);
        }
        ++values;
        break;
      case ']':
      case '}': depth = depth > 0 ? depth - 1 : 0; break;
      case ',':
        if (++values > kMaxJsonValues) {
          return fmt::format("the message holds more than {} JSON values", kMaxJsonValues);
        }
        break;
      default: break;
    }
  }
  return std::nullopt;
}

namespace {

// The UTF-16 unit of the escape `\uXXXX` at `at` (the backslash), or -1.
int escaped_unit(std::string_view text, std::size_t at) {
  if (at + 6 > text.size() || text[at] != '\\' || text[at + 1] != 'u') {
    return -1;
  }
  int unit = 0;
  for (std::size_t k = at + 2; k < at + 6; ++k) {
    const char c = text[k];
    const int digit = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
    if (digit < 0) {
      return -1;
    }
    unit = unit * 16 + digit;
  }
  return unit;
}

}  // namespace

std::string without_lone_surrogates(std::string_view text) {
  std::string out;
  std::size_t copied = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!in_string) {
      in_string = c == '"';
      continue;
    }
    if (c == '"') {
      in_string = false;
      continue;
    }
    if (c != '\\') {
      continue;
    }
    const int unit = escaped_unit(text, i);
    if (unit < 0xD800 || unit > 0xDFFF) {
      ++i;  // an escape other than a surrogate's: skip the escaped character
      continue;
    }
    const int next = escaped_unit(text, i + 6);
    if (unit <= 0xDBFF && next >= 0xDC00 && next <= 0xDFFF) {
      i += 11;  // a pair
      continue;
    }
    out.append(text.substr(copied, i - copied));
    out.append("\\ufffd");
    copied = i + 6;
    i += 5;
  }
  if (copied == 0) {
    return std::string(text);
  }
  out.append(text.substr(copied));
  return out;
}

std::string frame_message(std::string_view body) {
  std::string out = fmt::format("Content-Length: {}\r\n\r\n", body.size());
  out.append(body);
  return out;
}

}  // namespace rubric::lsp
