#include "lsp/stdio_loop.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "lsp/message_reader.hpp"

namespace rubric::lsp {
namespace {

// Writes all of `bytes`; false when the output is gone.
bool write_all(int output, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(output, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) {
      continue;
    }
    if (written <= 0) {
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

}  // namespace

int run_stdio(ServerOptions options, int input, int output, std::ostream& log) {
  bool output_failed = false;
  Server server(
      std::move(options),
      [&](const std::string& body) {
        if (!output_failed && !write_all(output, frame_message(body))) {
          output_failed = true;
        }
      },
      log);
  MessageReader reader;
  std::vector<ReadEvent> events;
  std::vector<std::string> bodies;
  std::vector<char> buffer(std::size_t{1} << 16U);
  std::optional<Clock::time_point> next_due;
  while (!server.exited() && !output_failed) {
    int timeout = -1;
    if (next_due) {
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*next_due - Clock::now());
      timeout = static_cast<int>(std::clamp<std::int64_t>(wait.count(), 0, 60'000));
    }
    pollfd watched{input, POLLIN, 0};
    const int ready = ::poll(&watched, 1, timeout);
    if (ready < 0 && errno != EINTR) {
      log << "rubric lsp: cannot wait for input: " << std::strerror(errno) << "\n";
      return 1;
    }
    if (ready > 0) {
      const ssize_t count = ::read(input, buffer.data(), buffer.size());
      if (count < 0 && errno == EINTR) {
        continue;
      }
      if (count <= 0) {
        if (reader.inside_message()) {
          log << "rubric lsp: the input ended inside a message\n";
        }
        log << "rubric lsp: the input ended without `exit`\n";
        return 1;
      }
      events.clear();
      reader.feed(std::string_view(buffer.data(), static_cast<std::size_t>(count)), events);
      bodies.clear();
      for (ReadEvent& event : events) {
        if (event.kind == ReadEvent::Kind::framing_error) {
          server.framing_error(event.text, event.message_lost);
        } else {
          bodies.push_back(std::move(event.text));
        }
      }
      server.handle_batch(bodies);
      if (server.exited()) {
        break;
      }
    }
    next_due = server.publish_due(Clock::now());
  }
  if (output_failed) {
    log << "rubric lsp: cannot write to the output\n";
    return 1;
  }
  return server.exit_code();
}

}  // namespace rubric::lsp
