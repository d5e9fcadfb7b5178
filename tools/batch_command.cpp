// `rubric batch GUIDELINE [INPUT|-] [--threads N] [--compact] [-o OUTPUT] [--as-of DATE]`:
// evaluates NDJSON fact sets or FHIR Bundles (one JSON object a line; a Bundle is read through
// the rule file's bindings) and writes one JSON result a line, in input order. The evaluation
// is tools/batch_pipeline.hpp; this file opens the files, shows progress and sums up.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <iostream>
#include <ostream>
#include <system_error>
#include <thread>

#include "tools/batch_pipeline.hpp"
#include "tools/command.hpp"
#include "tools/output_file.hpp"
#include "tools/read_file.hpp"

namespace rubric {
namespace {

// ---------------------------------------------------------------------------------------
// Progress and summary

class Progress {
 public:
  Progress(bool enabled, std::uint64_t total_bytes, std::ostream& err)
      : enabled_(enabled), total_bytes_(total_bytes), err_(err) {}

  void update(std::uint64_t records, std::uint64_t bytes, double seconds) {
    if (!enabled_) {
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) {
      return;
    }
    last_ = now;
    shown_ = true;
    const double rate = seconds > 0 ? static_cast<double>(records) / seconds : 0;
    if (total_bytes_ > 0) {
      constexpr int kWidth = 30;
      const double fraction =
          std::min(1.0, static_cast<double>(bytes) / static_cast<double>(total_bytes_));
      const int filled = static_cast<int>(fraction * kWidth);
      err_ << fmt::format("\r[{:<{}}] {:3.0f}%  {} records  {:.0f} records/s ",
                          std::string(static_cast<std::size_t>(filled), '#'), kWidth,
                          fraction * 100, records, rate)
           << std::flush;
    } else {
      err_ << fmt::format("\r{} records  {:.0f} records/s ", records, rate) << std::flush;
    }
  }

  void finish() {
    if (shown_) {
      err_ << "\r\033[K" << std::flush;
    }
  }

 private:
  bool enabled_;
  std::uint64_t total_bytes_;
  std::ostream& err_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

int batch(const std::string& guideline_path, const std::string& input_path, int threads_option,
          bool compact, const std::string& output_path, const std::string& as_of_text,
          std::ostream& out, std::ostream& err) {
  const std::optional<DateTime> as_of = evaluation_date(as_of_text, err);
  if (!as_of) {
    return kExitUsage;
  }
  SourceManager sources;
  int exit_code = 0;
  const auto guideline = load_guideline(sources, guideline_path, err, exit_code);
  if (!guideline) {
    return exit_code;
  }
  int descriptor = STDIN_FILENO;
  std::uint64_t total_bytes = 0;
  if (input_path != "-") {
    descriptor = ::open(input_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) {
      err << fmt::format("error: {}\n", cannot_read_message(input_path, errno));
      return kExitUsage;
    }
    struct stat status {};
    if (::fstat(descriptor, &status) == 0) {
      if (S_ISDIR(status.st_mode)) {
        ::close(descriptor);
        err << fmt::format("error: {}\n", cannot_read_message(input_path, EISDIR));
        return kExitUsage;
      }
      if (S_ISREG(status.st_mode)) {
        total_bytes = static_cast<std::uint64_t>(status.st_size);
      }
    }
  }
  struct Closer {
    int descriptor;
    ~Closer() {
      if (descriptor != STDIN_FILENO) {
        ::close(descriptor);
      }
    }
  } closer{descriptor};

  std::unique_ptr<OutputFile> file;
  std::ostream* output = &out;
  if (!output_path.empty() && output_path != "-") {
    // The results replace OUTPUT only at the end, but OUTPUT must never be one of the inputs.
    const std::optional<FileIdentity> output_identity = regular_file_identity(output_path);
    if (output_identity && output_identity == regular_file_identity(descriptor)) {
      err << fmt::format(
          "error: -o `{}` is the input file {}; the results would replace the fact sets; write "
          "them to another file\n",
          output_path,
          input_path == "-" ? std::string("(the standard input)")
                            : fmt::format("`{}`", input_path));
      return kExitUsage;
    }
    if (output_identity && output_identity == regular_file_identity(guideline_path)) {
      err << fmt::format(
          "error: -o `{}` is the rule file `{}`; the results would replace it; write them to "
          "another file\n",
          output_path, guideline_path);
      return kExitUsage;
    }
    auto opened = OutputFile::open(output_path);
    if (const auto* error = std::get_if<WriteError>(&opened)) {
      err << fmt::format("error: {}\n", error->message);
      return kExitUsage;
    }
    file = std::move(std::get<std::unique_ptr<OutputFile>>(opened));
    output = &file->stream();
  }

  const std::size_t threads = threads_option > 0
                                  ? static_cast<std::size_t>(threads_option)
                                  : std::max<std::size_t>(1, std::thread::hardware_concurrency());
  const bool terminal = &err == &std::cerr && ::isatty(STDERR_FILENO) == 1;
  Progress progress(terminal, total_bytes, err);
  const auto start = std::chrono::steady_clock::now();
  const BatchInput input = [descriptor](char* data, std::size_t capacity) -> std::size_t {
    while (true) {
      const ssize_t count = ::read(descriptor, data, capacity);
      if (count >= 0) {
        return static_cast<std::size_t>(count);
      }
      if (errno != EINTR) {
        throw std::system_error(errno, std::generic_category(), "cannot read the input");
      }
    }
  };
  const BatchOutput write = [&](std::string_view text, const BatchTotals& so_far,
                                std::uint64_t bytes_read) {
    output->write(text.data(), static_cast<std::streamsize>(text.size()));
    progress.update(
        so_far.records, bytes_read,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  };
  BatchTotals totals;
  try {
    totals = run_batch(*guideline, BatchOptions{threads, compact, *as_of, 1}, input, write);
  } catch (const std::system_error& error) {
    progress.finish();
    output->flush();
    err << fmt::format("error: cannot read `{}`: {}\n", input_path, error.code().message());
    return kExitUsage;
  } catch (const std::exception& error) {  // worker threads that cannot be started
    progress.finish();
    output->flush();
    err << fmt::format("error: {}\n", error.what());
    return kExitUsage;
  }
  output->flush();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.finish();
  if (file) {
    if (const std::optional<WriteError> error = file->commit()) {
      err << fmt::format("error: {}\n", error->message);
      return kExitUsage;
    }
  } else if (!*output) {
    err << "error: cannot write the standard output\n";
    return kExitUsage;
  }
  err << fmt::format("{} records, {} rejected, in {:.3f} s: {:.0f} records/s ({} thread{})\n",
                     totals.records, totals.errors, seconds,
                     seconds > 0 ? static_cast<double>(totals.records) / seconds : 0.0, threads,
                     threads == 1 ? "" : "s");
  return totals.errors > 0 ? kExitInputError : kExitSuccess;
}

}  // namespace

Command add_batch_command(CLI::App& app, std::ostream& out, std::ostream& err) {
  struct Options {
    std::string guideline;
    std::string input = "-";
    int threads = 0;
    bool compact = false;
    std::string output;
    std::string as_of;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "batch",
      "Evaluate NDJSON fact sets or FHIR Bundles (one JSON object a line), writing one JSON "
      "result a line");
  command->add_option("GUIDELINE", options->guideline, "Rule file (.rubric)")->required();
  command->add_option("INPUT", options->input,
                      "NDJSON fact sets or Bundles; `-` or nothing reads the standard input");
  command
      ->add_option("--threads", options->threads, "Worker threads (default: the number of cores)")
      ->check(CLI::Range(1, 1024));
  command->add_flag("--compact", options->compact,
                    "Write only recommendation ids and undetermined ids with missing facts");
  command->add_option("-o,--output", options->output,
                      "Write results to this file instead of the standard output");
  add_as_of_option(*command, options->as_of);
  return {command, [options, &out, &err] {
            return batch(options->guideline, options->input, options->threads, options->compact,
                         options->output, options->as_of, out, err);
          }};
}

}  // namespace rubric
