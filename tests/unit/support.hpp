// Helpers shared by the unit tests: reading files, temporary folders, the seed guideline's
// paths. Test-only; every function reports problems through Catch2 or by returning empty.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace rubric::testing {

namespace fs = std::filesystem;

// The seed guideline in this repository (RUBRIC_SOURCE_DIR is set by tests/CMakeLists.txt).
inline constexpr const char* kSeedDirectory =
    RUBRIC_SOURCE_DIR "/guidelines/vertebral-fracture-grade1";
inline constexpr const char* kSeedRuleFile =
    RUBRIC_SOURCE_DIR "/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric";

// The whole file as bytes; "" when it cannot be read.
inline std::string read_text(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::stringstream buffer;
  buffer << stream.rdbuf();
  return buffer.str();
}

// A fresh folder under the system's temporary folder, removed with everything in it when the
// object is destroyed. Names are unique within and across test processes.
class TempFolder {
 public:
  TempFolder() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("rubric-test-" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + "-" +
             std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  TempFolder(TempFolder&&) = delete;
  TempFolder& operator=(TempFolder&&) = delete;

  // Writes `text` to `name` (which may contain folders) inside this folder; returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path file = path_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }
  // The folder itself, or `name` inside it.
  [[nodiscard]] std::string path(const std::string& name = "") const {
    return name.empty() ? path_.string() : (path_ / name).string();
  }

 private:
  fs::path path_;
};

}  // namespace rubric::testing
