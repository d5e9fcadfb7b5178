#include "tools/output_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <streambuf>
#include <vector>

namespace rubric {

// A stream buffer writing to a file descriptor it does not own. Keeps the errno of the first
// failed write; after one, every later write fails too.
class DescriptorBuffer : public std::streambuf {
 public:
  explicit DescriptorBuffer(int descriptor) : descriptor_(descriptor), buffer_(kBufferBytes) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }

  // The errno of the first failed write, 0 when every write succeeded.
  [[nodiscard]] int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    if (!drain()) {
      return traits_type::eof();
    }
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }

  std::streamsize xsputn(const char* data, std::streamsize count) override {
    if (count <= epptr() - pptr()) {
      std::memcpy(pptr(), data, static_cast<std::size_t>(count));
      pbump(static_cast<int>(count));
      return count;
    }
    if (!drain() || !write_all(data, static_cast<std::size_t>(count))) {
      return 0;
    }
    return count;
  }

  int sync() override { return drain() ? 0 : -1; }

 private:
  static constexpr std::size_t kBufferBytes = std::size_t{64} * 1024U;

  bool drain() {
    const auto pending = static_cast<std::size_t>(pptr() - pbase());
    const bool written = write_all(pbase(), pending);
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return written;
  }

  bool write_all(const char* data, std::size_t count) {
    while (count > 0 && error_ == 0) {
      const ssize_t written = ::write(descriptor_, data, count);
      if (written < 0) {
        if (errno != EINTR) {
          error_ = errno;
        }
        continue;
      }
      data += written;
      count -= static_cast<std::size_t>(written);
    }
    return error_ == 0;
  }

  int descriptor_;
  std::vector<char> buffer_;
  int error_ = 0;
};

namespace {

namespace fs = std::filesystem;

std::string reason_of(int error_number) {
  return std::strerror(error_number);
}

// `path` with its symbolic links followed to the final target (which need not exist).
// Returns nullopt after too many links (a loop).
std::optional<std::string> resolve_links(const std::string& path) {
  constexpr int kMaxLinks = 40;
  fs::path current(path);
  for (int hop = 0; hop < kMaxLinks; ++hop) {
    struct stat status {};
    if (::lstat(current.c_str(), &status) != 0 || !S_ISLNK(status.st_mode)) {
      return current.string();
    }
    std::error_code error;
    const fs::path link = fs::read_symlink(current, error);
    if (error) {
      return current.string();
    }
    current = link.is_absolute() ? link : current.parent_path() / link;
  }
  return std::nullopt;
}

// Creates a new file with a unique name next to `target`, exclusively; -1 with errno set on
// failure. The file gets mode 0666 less the umask, as any new file would.
int create_temporary(const fs::path& target, std::string& temporary) {
  static constexpr std::string_view kLetters =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  static constexpr int kAttempts = 100;
  static constexpr int kSuffixLength = 6;
  std::random_device device;
  std::mt19937_64 random(device());
  std::uniform_int_distribution<std::size_t> pick(0, kLetters.size() - 1);
  const fs::path folder = target.parent_path();
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    std::string name = "." + target.filename().string() + ".";
    for (int letter = 0; letter < kSuffixLength; ++letter) {
      name += kLetters[pick(random)];
    }
    name += ".tmp";
    temporary = (folder / name).string();
    const int descriptor =
        ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (descriptor >= 0 || errno != EEXIST) {
      return descriptor;
    }
  }
  errno = EEXIST;
  return -1;
}

}  // namespace

std::variant<std::unique_ptr<OutputFile>, WriteError> OutputFile::open(const std::string& path) {
  std::unique_ptr<OutputFile> file(new OutputFile());
  file->path_ = path;
  const std::optional<std::string> target = resolve_links(path);
  if (!target) {
    return file->failure(reason_of(ELOOP));
  }
  file->target_ = *target;

  struct stat status {};
  const bool exists = ::stat(file->target_.c_str(), &status) == 0;
  if (!exists && errno != ENOENT) {
    return file->failure(reason_of(errno));
  }
  if (exists && S_ISDIR(status.st_mode)) {
    return file->failure("it is a folder");
  }
  if (exists && !S_ISREG(status.st_mode)) {
    // A device or a FIFO: written in place, there is no file to replace.
    file->descriptor_ = ::open(file->target_.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (file->descriptor_ < 0) {
      return file->failure(reason_of(errno));
    }
  } else {
    if (exists) {
      if (::access(file->target_.c_str(), W_OK) != 0) {
        return file->failure(errno == EACCES  ? std::string("it is read-only")
                             : errno == EROFS ? std::string("it is on a read-only file system")
                                              : reason_of(errno));
      }
      if ((status.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0) {
        return file->failure("it is read-only");
      }
    }
    const fs::path target_path(file->target_);
    file->descriptor_ = create_temporary(target_path, file->temporary_);
    if (file->descriptor_ < 0) {
      const int error_number = errno;
      file->temporary_.clear();
      const fs::path folder = target_path.parent_path();
      return file->failure(fmt::format("cannot create a temporary file in `{}`: {}",
                                       folder.empty() ? std::string(".") : folder.string(),
                                       reason_of(error_number)));
    }
    if (exists) {
      // Owner first: changing the owner may clear the set-user-id and set-group-id bits.
      struct stat created {};
      if (::fstat(file->descriptor_, &created) != 0 ||
          ((created.st_uid != status.st_uid || created.st_gid != status.st_gid) &&
           ::fchown(file->descriptor_, status.st_uid, status.st_gid) != 0)) {
        const int error_number = errno;
        file->discard();
        return file->failure(fmt::format("cannot keep its owner: {}", reason_of(error_number)));
      }
      if (::fchmod(file->descriptor_, status.st_mode & 07777U) != 0) {
        const int error_number = errno;
        file->discard();
        return file->failure(
            fmt::format("cannot keep its permissions: {}", reason_of(error_number)));
      }
    }
  }
  file->buffer_ = std::make_unique<DescriptorBuffer>(file->descriptor_);
  file->stream_ = std::make_unique<std::ostream>(file->buffer_.get());
  return file;
}

OutputFile::~OutputFile() {
  discard();
}

std::ostream& OutputFile::stream() {
  return *stream_;
}

std::optional<WriteError> OutputFile::commit() {
  stream_->flush();
  if (buffer_->error() != 0 || !*stream_) {
    const int error_number = buffer_->error() != 0 ? buffer_->error() : EIO;
    discard();
    return failure(reason_of(error_number));
  }
  const bool regular = !temporary_.empty();
  if (regular && ::fsync(descriptor_) != 0) {
    const int error_number = errno;
    discard();
    return failure(reason_of(error_number));
  }
  const int descriptor = descriptor_;
  descriptor_ = -1;
  if (::close(descriptor) != 0) {
    const int error_number = errno;
    discard();
    return failure(reason_of(error_number));
  }
  if (!regular) {
    return std::nullopt;
  }
  if (::rename(temporary_.c_str(), target_.c_str()) != 0) {
    const int error_number = errno;
    discard();
    return failure(fmt::format("cannot replace it: {}", reason_of(error_number)));
  }
  temporary_.clear();
  // Make the rename itself durable; the file is already complete, so a failure here is not
  // reported (some file systems cannot sync a folder).
  const fs::path folder = fs::path(target_).parent_path();
  const int folder_descriptor =
      ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (folder_descriptor >= 0) {
    ::fsync(folder_descriptor);
    ::close(folder_descriptor);
  }
  return std::nullopt;
}

void OutputFile::discard() noexcept {
  if (descriptor_ >= 0) {
    ::close(descriptor_);
    descriptor_ = -1;
  }
  if (!temporary_.empty()) {
    ::unlink(temporary_.c_str());
    temporary_.clear();
  }
}

WriteError OutputFile::failure(std::string_view reason) const {
  if (target_.empty() || target_ == path_) {
    return {fmt::format("cannot write `{}`: {}", path_, reason)};
  }
  return {fmt::format("cannot write `{}` (a link to `{}`): {}", path_, target_, reason)};
}

std::optional<WriteError> write_output_file(const std::string& path, std::string_view text) {
  auto opened = OutputFile::open(path);
  if (auto* error = std::get_if<WriteError>(&opened)) {
    return std::move(*error);
  }
  OutputFile& file = *std::get<std::unique_ptr<OutputFile>>(opened);
  file.stream().write(text.data(), static_cast<std::streamsize>(text.size()));
  return file.commit();
}

std::optional<FileIdentity> regular_file_identity(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0 || !S_ISREG(status.st_mode)) {
    return std::nullopt;
  }
  return FileIdentity{status.st_dev, status.st_ino};
}

std::optional<FileIdentity> regular_file_identity(int descriptor) {
  struct stat status {};
  if (::fstat(descriptor, &status) != 0 || !S_ISREG(status.st_mode)) {
    return std::nullopt;
  }
  return FileIdentity{status.st_dev, status.st_ino};
}

}  // namespace rubric
