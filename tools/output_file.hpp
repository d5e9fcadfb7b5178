// Writing the files the `rubric` CLI produces (`fmt` rewriting a rule file, `compile -o`,
// `batch -o`) so that no run ever destroys a file. Every writer of the CLI goes through here.
//
// The contract of a write to PATH:
// - PATH is resolved through symbolic links: the link's final target is written and the link
//   is kept (a dangling link gets its target created).
// - A regular file (or a new one) is replaced atomically: the text goes to a temporary file
//   created exclusively (O_EXCL, a unique name `.NAME.XXXXXX.tmp`) in the target's folder,
//   is flushed and fsync'd, gets the original's mode and owner, and is renamed over the target.
//   A failure at any step removes the temporary and leaves the target as it was.
// - A target that is neither a regular file nor a folder (a device such as /dev/null, a FIFO)
//   is written directly: there is nothing to rename over.
// - A target the user cannot write is refused as read-only, and so is a target with no write
//   permission bit at all (root may write anything, but a file marked read-only stays so).
//   A folder is refused.
// - Errors are returned as values carrying the reason (strerror), never thrown.
//
// A file with several hard links is replaced under the written name only: the other names keep
// the old contents.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>

namespace rubric {

// Why a write failed, as a whole message without the `error: ` prefix, e.g.
// "cannot write `a.hpp`: it is read-only".
struct WriteError {
  std::string message;
};

class DescriptorBuffer;

// One output file being written. Not thread-safe; owned by one writer. The target is changed
// only by a successful commit(); destroying an uncommitted OutputFile discards what was written
// (the temporary is removed).
class OutputFile {
 public:
  // Prepares writing `path` (resolving links, checking permissions, creating the temporary).
  static std::variant<std::unique_ptr<OutputFile>, WriteError> open(const std::string& path);

  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();

  // The stream to write to; valid until this object is destroyed.
  std::ostream& stream();

  // Flushes, syncs and replaces the target. After a failure the target is unchanged and the
  // temporary is gone. Call at most once.
  [[nodiscard]] std::optional<WriteError> commit();

 private:
  OutputFile() = default;
  void discard() noexcept;
  [[nodiscard]] WriteError failure(std::string_view reason) const;

  std::string path_;       // as the user wrote it (for messages)
  std::string target_;     // `path_` with symbolic links resolved
  std::string temporary_;  // empty when writing the target directly
  int descriptor_ = -1;
  std::unique_ptr<DescriptorBuffer> buffer_;
  std::unique_ptr<std::ostream> stream_;
};

// Writes `text` as the whole contents of `path` under the contract above.
[[nodiscard]] std::optional<WriteError> write_output_file(const std::string& path,
                                                          std::string_view text);

// The identity of a file (device and inode, after following links), to recognise one file
// under two names (a symbolic or hard link). nullopt when it does not exist or is not a
// regular file.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};
std::optional<FileIdentity> regular_file_identity(const std::string& path);
std::optional<FileIdentity> regular_file_identity(int descriptor);

}  // namespace rubric
