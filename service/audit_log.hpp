// The decision audit log (`rubric serve --audit FILE`): one JSON object a line (NDJSON), one line
// per invocation and per feedback item (docs/service.md#the-audit-log).
//
// Contract: `write` is thread-safe. Each line goes to the file in one write(2) on a descriptor
// opened with O_APPEND, under a lock: lines of concurrent requests never interleave, and a
// write the kernel cuts short (a full disk) is completed or cut back off the file. Only a crash
// of the machine in the middle of a write can leave part of a line. `flush` (at shutdown) makes
// the lines durable with fsync.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace rubric::service {

class AuditLog {
 public:
  // Opens (creating, appending to) `path`; nullopt with the reason when it cannot.
  static std::optional<AuditLog> open(const std::string& path, std::string& problem);

  AuditLog(AuditLog&& other) noexcept;
  AuditLog& operator=(AuditLog&&) = delete;
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;
  ~AuditLog();

  // Appends `line` (one JSON object, without a line break) and a line break. False when the
  // write failed (the disk is full, ...).
  bool write(std::string_view line);
  // Makes what was written durable (fsync).
  void flush();

 private:
  explicit AuditLog(int descriptor) : descriptor_(descriptor) {}
  int descriptor_ = -1;
  std::mutex mutex_;
};

}  // namespace rubric::service
