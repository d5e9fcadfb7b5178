// Reading whole input files for the `rubric` commands, with the operating system's reason
// when a file cannot be read. Every command that reads a named file goes through
// read_whole_file, so that every "cannot read" message says why.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace rubric {

// The text of the file at `path`, or nullopt with `error` set to the message to show:
// "cannot read `PATH`: REASON", REASON as strerror gives it ("No such file or directory",
// "Is a directory", "Permission denied"), or "`PATH` is larger than the limit of N bytes"
// when the file holds more than `limit` bytes. Never throws for an unreadable file.
std::optional<std::string> read_whole_file(const std::string& path, std::size_t limit,
                                           std::string& error);

// "cannot read `PATH`: REASON" for the errno value `error_number`.
std::string cannot_read_message(const std::string& path, int error_number);

}  // namespace rubric
