#include "tools/read_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rubric {

std::string cannot_read_message(const std::string& path, int error_number) {
  return fmt::format("cannot read `{}`: {}", path, std::strerror(error_number));
}

std::optional<std::string> read_whole_file(const std::string& path, std::size_t limit,
                                           std::string& error) {
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) {
    error = cannot_read_message(path, errno);
    return std::nullopt;
  }
  struct Closer {
    int descriptor;
    ~Closer() { ::close(descriptor); }
  } closer{descriptor};
  struct stat status {};
  if (::fstat(descriptor, &status) != 0) {
    error = cannot_read_message(path, errno);
    return std::nullopt;
  }
  if (S_ISDIR(status.st_mode)) {
    error = cannot_read_message(path, EISDIR);
    return std::nullopt;
  }
  std::string text;
  char buffer[65536];
  while (true) {
    const ssize_t count = ::read(descriptor, buffer, sizeof buffer);
    if (count < 0) {
      if (errno == EINTR) {
        continue;
      }
      error = cannot_read_message(path, errno);
      return std::nullopt;
    }
    if (count == 0) {
      break;
    }
    text.append(buffer, static_cast<std::size_t>(count));
    if (text.size() > limit) {
      error = fmt::format("`{}` is larger than the limit of {} bytes", path, limit);
      return std::nullopt;
    }
  }
  return text;
}

}  // namespace rubric
