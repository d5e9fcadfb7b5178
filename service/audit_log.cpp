#include "service/audit_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rubric::service {

std::optional<AuditLog> AuditLog::open(const std::string& path, std::string& problem) {
  const int descriptor = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (descriptor < 0) {
    problem = "cannot open `" + path + "` for appending: " + std::strerror(errno);
    return std::nullopt;
  }
  return AuditLog(descriptor);
}

AuditLog::AuditLog(AuditLog&& other) noexcept : descriptor_(other.descriptor_) {
  other.descriptor_ = -1;
}

AuditLog::~AuditLog() {
  if (descriptor_ >= 0) {
    ::fsync(descriptor_);
    ::close(descriptor_);
  }
}

bool AuditLog::write(std::string_view line) {
  std::string text;
  text.reserve(line.size() + 1);
  text.append(line);
  text += '\n';
  const std::lock_guard lock(mutex_);
  // One write(2) per line: a line is in the file whole or not at all. A short write (a full
  // disk) is finished in further writes, still under the lock; when that fails, the part
  // written is cut off again, so that the next line starts clean.
  const off_t start = ::lseek(descriptor_, 0, SEEK_END);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t written = ::write(descriptor_, text.data() + done, text.size() - done);
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int failure = errno;
      if (done > 0 && start >= 0) {
        (void)::ftruncate(descriptor_, start);
      }
      errno = failure;
      return false;
    }
    done += static_cast<std::size_t>(written);
  }
  return true;
}

void AuditLog::flush() {
  const std::lock_guard lock(mutex_);
  ::fsync(descriptor_);
}

}  // namespace rubric::service
