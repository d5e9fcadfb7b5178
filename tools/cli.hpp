// The `rubric` command line. Exit codes: 0 success, 1 errors in the input (rule files, fact
// files, expressions, failing cases), 2 a bad command line or an unreadable file.
#pragma once

#include <iosfwd>

namespace rubric {

int run_command_line(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace rubric
