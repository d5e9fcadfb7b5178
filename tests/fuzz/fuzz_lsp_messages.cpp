// libFuzzer target: the language server (lsp/) on a raw stdio stream, the bytes a client
// writes to `rubric lsp`. The message reader (lsp/message_reader.hpp) takes the stream in one
// piece, a byte at a time, and in pieces whose sizes come from a hash of the input (so that
// piece boundaries land anywhere, a different pattern for each input): it must give the same
// events every time and end in the same state; every body is at most kMaxMessageBytes, every
// framing error says what it is, and the bodies read, framed again, read back unchanged.
// The bodies then go to a Server (lsp/server.hpp) as the stdio loop hands them (a batch for
// each piece, then publish_due): every message the server sends is a JSON object with
// "jsonrpc": "2.0", a response (an id, and a result or an error with a code and a message) or
// a notification (a method and its params), and every request of a batch gets exactly one
// response, with its id.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "lsp/message_reader.hpp"
#include "lsp/server.hpp"

namespace {

using Json = nlohmann::json;
using rubric::lsp::MessageReader;
using rubric::lsp::ReadEvent;

// Piece sizes for one input: a hash of the input seeds a generator and picks the sizes'
// pattern (1 to 4 bytes, 1 to 64, 1 to 4096, or mostly 1 to 3 with some up to 64 KiB).
class PieceSizes {
 public:
  explicit PieceSizes(std::string_view stream) {
    std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a
    for (const char c : stream) {
      hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    state_ = hash | 1U;
    pattern_ = static_cast<unsigned>(hash >> 62U);
  }

  std::size_t next() {
    state_ ^= state_ << 13U;  // xorshift64
    state_ ^= state_ >> 7U;
    state_ ^= state_ << 17U;
    switch (pattern_) {
      case 0: return 1 + state_ % 4;
      case 1: return 1 + state_ % 64;
      case 2: return 1 + state_ % 4096;
      default: return state_ % 8 == 0 ? 1 + (state_ >> 3U) % 65536 : 1 + state_ % 3;
    }
  }

 private:
  std::uint64_t state_ = 1;
  unsigned pattern_ = 0;
};

// `stream` cut into pieces of the sizes `next_size()` gives.
template <typename NextSize>
std::vector<std::string_view> split(std::string_view stream, NextSize next_size) {
  std::vector<std::string_view> pieces;
  while (!stream.empty()) {
    const std::size_t size = std::min<std::size_t>(next_size(), stream.size());
    pieces.push_back(stream.substr(0, size));
    stream.remove_prefix(size);
  }
  return pieces;
}

std::vector<std::string_view> hashed_pieces(std::string_view stream) {
  PieceSizes sizes(stream);
  return split(stream, [&] { return sizes.next(); });
}

std::vector<std::string_view> byte_pieces(std::string_view stream) {
  return split(stream, [] { return std::size_t{1}; });
}

struct Reading {
  std::vector<ReadEvent> events;
  bool inside_message = false;
};

Reading read_pieces(const std::vector<std::string_view>& pieces) {
  Reading reading;
  MessageReader reader;
  for (const std::string_view piece : pieces) {
    reader.feed(piece, reading.events);
  }
  reading.inside_message = reader.inside_message();
  return reading;
}

bool same_events(const std::vector<ReadEvent>& a, const std::vector<ReadEvent>& b) {
  return std::equal(
      a.begin(), a.end(), b.begin(), b.end(), [](const ReadEvent& x, const ReadEvent& y) {
        return x.kind == y.kind && x.text == y.text && x.message_lost == y.message_lost;
      });
}

// The reader on its own: the same events however the stream is cut.
void check_reader(std::string_view stream) {
  const Reading whole = read_pieces({stream});
  const Reading bytes = read_pieces(byte_pieces(stream));
  const Reading hashed = read_pieces(hashed_pieces(stream));
  if (!same_events(whole.events, bytes.events) || !same_events(whole.events, hashed.events) ||
      whole.inside_message != bytes.inside_message ||
      whole.inside_message != hashed.inside_message) {
    __builtin_trap();  // the events depend on where the pieces end
  }
  std::size_t body_bytes = 0;
  std::string framed;
  std::vector<ReadEvent> messages;
  for (const ReadEvent& event : whole.events) {
    if (event.kind == ReadEvent::Kind::framing_error) {
      if (event.text.empty()) {
        __builtin_trap();  // a framing error says what it is
      }
      continue;
    }
    if (event.text.size() > rubric::lsp::kMaxMessageBytes) {
      __builtin_trap();
    }
    body_bytes += event.text.size();
    framed += rubric::lsp::frame_message(event.text);
    messages.push_back(event);
  }
  if (body_bytes > stream.size()) {
    __builtin_trap();  // bodies come from the stream
  }
  // The bodies framed again read back as they are, with no framing error.
  const Reading again = read_pieces(hashed_pieces(framed));
  if (!same_events(again.events, messages) || again.inside_message) {
    __builtin_trap();
  }
}

// The responses a body calls for, as Server::dispatch answers them: one per body that is
// neither a notification nor the client's response, with the body's id or null.
void expect_responses(const std::string& body, std::vector<Json>& ids) {
  if (rubric::lsp::json_shape_problem(body)) {
    ids.emplace_back(nullptr);
    return;
  }
  // As the server reads it: a lone surrogate's escape is U+FFFD.
  const Json message = Json::parse(rubric::lsp::without_lone_surrogates(body), nullptr, false);
  if (message.is_discarded() || !message.is_object()) {
    ids.emplace_back(nullptr);
    return;
  }
  const auto id = message.find("id");
  const bool has_id = id != message.end();
  if (has_id && !id->is_string() && !id->is_number_integer()) {
    ids.emplace_back(nullptr);
    return;
  }
  const auto method = message.find("method");
  if (method == message.end()) {
    if (!has_id || (!message.contains("result") && !message.contains("error"))) {
      ids.push_back(has_id ? *id : Json(nullptr));
    }
    return;
  }
  if (has_id || !method->is_string()) {
    ids.push_back(has_id ? *id : Json(nullptr));
  }
}

// A message the server sends: valid JSON, a JSON-RPC 2.0 response or notification. The ids
// of responses go to `responses`.
void check_sent(const std::string& body, std::vector<Json>& responses) {
  if (!Json::accept(body)) {
    __builtin_trap();
  }
  const Json message = Json::parse(body, nullptr, false);
  if (message.is_discarded() || !message.is_object()) {
    __builtin_trap();
  }
  const auto version = message.find("jsonrpc");
  if (version == message.end() || *version != "2.0") {
    __builtin_trap();
  }
  if (const auto method = message.find("method"); method != message.end()) {
    if (!method->is_string() || !message.contains("params") || message.contains("id")) {
      __builtin_trap();  // the server sends notifications, never requests
    }
    return;
  }
  const auto id = message.find("id");
  const auto error = message.find("error");
  if (id == message.end() || message.contains("result") == (error != message.end())) {
    __builtin_trap();  // a response has an id, and a result or an error
  }
  if (error != message.end() &&
      (!error->is_object() || !error->contains("code") || !(*error)["code"].is_number_integer() ||
       !error->contains("message") || !(*error)["message"].is_string())) {
    __builtin_trap();
  }
  responses.push_back(*id);
}

// The server behind the stdio loop (lsp/stdio_loop.cpp), fed the stream in hashed pieces,
// on a clock that moves 1 ms a piece.
void check_server(std::string_view stream) {
  std::ostream nowhere(nullptr);  // the log, discarded
  std::vector<Json> responses;
  rubric::lsp::ServerOptions options;
  options.debounce = std::chrono::milliseconds(0);
  options.findings = false;
  rubric::lsp::Server server(
      options, [&](const std::string& body) { check_sent(body, responses); }, nowhere);
  MessageReader reader;
  std::vector<ReadEvent> events;
  std::vector<std::string> bodies;
  std::vector<Json> expected;
  rubric::lsp::Clock::time_point now{};
  for (const std::string_view piece : hashed_pieces(stream)) {
    events.clear();
    reader.feed(piece, events);
    bodies.clear();
    expected.clear();
    bool exit_read = false;  // nothing after `exit` is handled, nor answered
    for (ReadEvent& event : events) {
      if (event.kind == ReadEvent::Kind::framing_error) {
        server.framing_error(event.text, event.message_lost);
      } else {
        if (!exit_read) {
          expect_responses(event.text, expected);
          const Json message =
              rubric::lsp::json_shape_problem(event.text)
                  ? Json()
                  : Json::parse(rubric::lsp::without_lone_surrogates(event.text), nullptr, false);
          exit_read = message.is_object() && !message.contains("id") &&
                      message.contains("method") && message["method"] == "exit";
        }
        bodies.push_back(std::move(event.text));
      }
    }
    responses.clear();
    server.handle_batch(bodies, now);
    std::sort(expected.begin(), expected.end());
    std::sort(responses.begin(), responses.end());
    if (responses != expected) {
      __builtin_trap();  // a request answered twice or never, or a response to no request
    }
    if (server.exited()) {
      return;
    }
    responses.clear();
    (void)server.publish_due(now);
    if (!responses.empty()) {
      __builtin_trap();  // publishing sends notifications only
    }
    now += std::chrono::milliseconds(1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view stream(reinterpret_cast<const char*>(data), size);
  check_reader(stream);
  check_server(stream);
  return 0;
}
