// Runs the language server over a pair of file descriptors (standard input and output).
//
// One thread: waits for input with poll(2) until the next debounced publication falls due,
// reads what is there, frames it into messages (MessageReader), hands each batch read
// together to the server, writes what the server sends, and publishes diagnostics when due.
// Returns the exit code: the server's after `exit` (0 after `shutdown`, else 1), or 1 when
// the input ends without `exit` or the output cannot be written.
#pragma once

#include <ostream>

#include "lsp/server.hpp"

namespace rubric::lsp {

int run_stdio(ServerOptions options, int input, int output, std::ostream& log);

}  // namespace rubric::lsp
