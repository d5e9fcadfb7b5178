// The base protocol of the Language Server Protocol: messages framed by HTTP-like headers
// (`Content-Length: N`, optionally `Content-Type`, each line ended by `\r\n`, an empty line),
// then N bytes of JSON. The reader takes the byte stream in pieces of any size and gives the
// bodies back whole; it never trusts the stream.
//
// Limits on hostile input (docs/editor.md#limits): a header block of at most kMaxHeaderBytes,
// a body of at most kMaxMessageBytes (a longer one is skipped without being held in memory),
// and a body's JSON nested at most kMaxJsonDepth deep with at most kMaxJsonValues values
// (checked by json_shape_problem before the body is parsed, so that parsing and destroying it
// stay bounded in stack and memory).
//
// After a framing error (a header that is not `Name: value`, a missing or malformed
// Content-Length, an overlong header block) the reader skips to the next `Content-Length`
// header and goes on from there.
//
// Contract: not thread-safe; one reader per stream.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rubric::lsp {

inline constexpr std::size_t kMaxHeaderBytes = 8192;
inline constexpr std::size_t kMaxMessageBytes = std::size_t{64} * 1024U * 1024U;
inline constexpr std::size_t kMaxJsonDepth = 128;
inline constexpr std::size_t kMaxJsonValues = 1'000'000;

struct ReadEvent {
  enum class Kind : std::uint8_t { message, framing_error };
  Kind kind = Kind::message;
  // The body of a message, or the framing error's description (lowercase, no period).
  std::string text;
  // A framing error that lost a whole message (one longer than kMaxMessageBytes, skipped):
  // a change to a document may have been lost with it.
  bool message_lost = false;
};

class MessageReader {
 public:
  // Reads `bytes`, appending to `events` each message completed and each framing error met.
  void feed(std::string_view bytes, std::vector<ReadEvent>& events);
  // True when the bytes read so far end inside a message (for a message at the end of input).
  [[nodiscard]] bool inside_message() const;

 private:
  enum class State : std::uint8_t { headers, body, skip_body, resync };
  void finish_headers(std::vector<ReadEvent>& events);
  void fail(std::string problem, std::vector<ReadEvent>& events);

  State state_ = State::headers;
  std::string headers_;  // the header block read so far
  std::string body_;
  std::size_t remaining_ = 0;  // body bytes still to read or skip
  std::string resync_tail_;    // the last bytes seen while looking for `Content-Length`
};

// Why a JSON text is too deep or too large to parse (kMaxJsonDepth, kMaxJsonValues), or
// nullopt. Counts brackets and separators outside strings; does not validate the JSON.
std::optional<std::string> json_shape_problem(std::string_view text);

// `text` (JSON) with every `\uXXXX` escape of a lone UTF-16 surrogate (one not in a
// high-low pair) replaced by `\ufffd`; the text itself when it has none.
std::string without_lone_surrogates(std::string_view text);

// `body` framed as one message.
std::string frame_message(std::string_view body);

}  // namespace rubric::lsp
