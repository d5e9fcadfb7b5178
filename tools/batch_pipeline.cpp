// The pipeline of tools/batch_pipeline.hpp: chunks of whole lines, a reader, workers and
// the writer on the calling thread.
#include "tools/batch_pipeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "dsl/parser.hpp"
#include "records/record_reader.hpp"
#include "tools/ndjson_facts.hpp"
#include "tools/report.hpp"

namespace rubric {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{256} * 1024U;
// A longer line is reported as an error and skipped without being held in memory.
constexpr std::size_t kMaxLineBytes = kMaxSourceBytes;
constexpr std::size_t kChunksPerWorker = 3;

// ---------------------------------------------------------------------------------------
// JSON output

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (byte < 0x20U || byte == 0x7FU) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(byte));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void append_number(std::string& out, std::uint64_t number) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
  out.append(buffer, result.ptr);
}

// The JSON text of everything a result can say about the guideline, built once so that
// writing a result is a sequence of appends.
class ResultWriter {
 public:
  ResultWriter(const Guideline& guideline, bool compact) : compact_(compact) {
    const auto dump = [](const nlohmann::ordered_json& json) {
      return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    };
    for (const RecommendationInfo& info : guideline.recommendations()) {
      reports_.push_back(!compact && !info.reported.empty());
      if (compact) {
        recommended_.push_back(dump(info.id));
        undetermined_.push_back("{\"id\":" + dump(info.id) + ",\"missing\":[");
        continue;
      }
      const nlohmann::ordered_json item = recommendation_to_json(guideline, info);
      recommended_.push_back(dump(item));
      undetermined_.push_back("{\"id\":" + dump(info.id) + ",\"kind\":" + dump(info.kind) +
                              ",\"text\":" + dump(info.text) + ",\"missing\":[");
    }
    for (const FactSpec& fact : guideline.facts()) {
      fact_names_.push_back(dump(fact.name));
    }
  }

  // One line evaluated alone with `facts` and `scratch`; a recommended item with a `report`
  // clause gets its "reported" values (not in compact output).
  void result(std::string& out, std::uint64_t line, const Guideline& guideline,
              const FactSet& facts, EvaluationScratch& scratch, const Decision& decision) const {
    write(
        out, line, decision.outcomes.size(), [&](std::size_t r) { return decision.outcomes[r]; },
        [&](std::size_t r) -> const std::vector<FactId>& { return decision.missing[r]; },
        [&](std::size_t r) -> const std::vector<FactId>& { return decision.despite[r]; },
        [&](std::size_t r, std::string& item) {
          const RecommendationInfo& info = guideline.recommendations()[r];
          item += ",\"reported\":";
          item += reported_to_json(guideline, info, facts, scratch)
                      .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
        });
  }

  // One row of a block evaluation; `facts` is working memory.
  void result(std::string& out, std::uint64_t line, const Guideline& guideline,
              const BlockDecision& decision, std::size_t row, BlockScratch& scratch,
              std::vector<FactId>& facts) const {
    write(
        out, line, decision.recommended.size(),
        [&](std::size_t r) { return decision.outcome(row, r); },
        [&](std::size_t r) -> const std::vector<FactId>& {
          guideline.missing(row, r, scratch, facts);
          return facts;
        },
        [&](std::size_t r) -> const std::vector<FactId>& {
          guideline.despite(row, r, scratch, facts);
          return facts;
        },
        // A guideline that reports values is not evaluated on blocks (Worker).
        [](std::size_t, std::string&) {});
  }

  // {"line": N, "error": MESSAGE, "code": CODE, "column": C} for the first error, and the
  // others (a line may have several problems) in "other_errors".
  static void error(std::string& out, std::uint64_t line, const Diagnostics& diagnostics) {
    out += "{\"line\":";
    append_number(out, line);
    bool first = true;
    std::size_t others = 0;
    for (const Diagnostic& diagnostic : diagnostics.all()) {
      if (diagnostic.severity != Severity::error) {
        continue;
      }
      if (first) {
        out += ',';
        append_error_fields(out, diagnostic);
        first = false;
        continue;
      }
      out += others == 0 ? ",\"other_errors\":[" : ",";
      ++others;
      out += '{';
      append_error_fields(out, diagnostic);
      out += '}';
    }
    if (others > 0) {
      out += ']';
    }
    out += "}\n";
  }

  // {"line": N, "error": MESSAGE, "code": CODE, "column": C} for a record that cannot be read
  // (C: where malformed JSON stops, else 1), with "fact" and "resource" for a bad value.
  static void record_error(std::string& out, std::uint64_t line, const RecordError& error) {
    out += "{\"line\":";
    append_number(out, line);
    out += ",\"error\":";
    append_json_string(out, error.message);
    out += ",\"code\":";
    append_json_string(out, diagnostic_info(error.kind).code);
    out += ",\"column\":";
    append_number(out, std::uint64_t{error.offset.value_or(0)} + 1);
    if (!error.fact.empty()) {
      out += ",\"fact\":";
      append_json_string(out, error.fact);
    }
    if (!error.resource.empty()) {
      out += ",\"resource\":";
      append_json_string(out, error.resource);
    }
    out += "}\n";
  }

  static void message(std::string& out, std::uint64_t line, std::string_view text) {
    out += "{\"line\":";
    append_number(out, line);
    out += ",\"error\":";
    append_json_string(out, text);
    out += ",\"code\":\"E0401\",\"column\":1}\n";
  }

 private:
  // The result line: `outcome(r)`, `missing(r)` (an undetermined recommendation's missing
  // facts) and `despite(r)` (the absent facts a recommended one was decided despite) for
  // each of `count` recommendations; `reported(r, out)` appends the fields of a recommended
  // item that reports values, before its closing brace.
  template <typename OutcomeOf, typename MissingOf, typename DespiteOf, typename ReportedOf>
  void write(std::string& out, std::uint64_t line, std::size_t count, const OutcomeOf& outcome,
             const MissingOf& missing, const DespiteOf& despite, const ReportedOf& reported) const {
    if (compact_) {
      out += "{\"recommendations\":[";
    } else {
      out += "{\"line\":";
      append_number(out, line);
      out += ",\"recommendations\":[";
    }
    bool first = true;
    for (std::size_t r = 0; r < count; ++r) {
      if (outcome(r) == Outcome::recommended) {
        append_separator(out, first);
        if (compact_) {
          out += recommended_[r];
          continue;
        }
        out.append(recommended_[r], 0, recommended_[r].size() - 1);
        out += ",\"decided_despite\":[";
        append_names(out, despite(r));
        out += ']';
        if (reports_[r]) {
          reported(r, out);
        }
        out += '}';
      }
    }
    out += "],\"undetermined\":[";
    first = true;
    for (std::size_t r = 0; r < count; ++r) {
      if (outcome(r) == Outcome::undetermined) {
        append_separator(out, first);
        out += undetermined_[r];
        append_names(out, missing(r));
        out += "]}";
      }
    }
    out += "]}\n";
  }

  // The facts' names as JSON strings, separated by commas.
  void append_names(std::string& out, const std::vector<FactId>& facts) const {
    bool first = true;
    for (const FactId fact : facts) {
      append_separator(out, first);
      out += fact_names_[fact.value];
    }
  }

  // `"error":...,"code":...,"column":...` for one error diagnostic (column 1-based).
  static void append_error_fields(std::string& out, const Diagnostic& diagnostic) {
    out += "\"error\":";
    append_json_string(out, diagnostic.message);
    out += ",\"code\":";
    append_json_string(out, diagnostic.code);
    out += ",\"column\":";
    append_number(out, std::uint64_t{diagnostic.range.offset} + 1);
  }

  // The ',' before each item of a JSON array but the first (`first` is cleared).
  static void append_separator(std::string& out, bool& first) {
    if (!first) {
      out += ',';
    }
    first = false;
  }

  bool compact_;
  std::vector<bool> reports_;  // per recommendation: its item gets "reported" values
  std::vector<std::string> recommended_;
  std::vector<std::string> undetermined_;
  std::vector<std::string> fact_names_;
};

// ---------------------------------------------------------------------------------------
// Chunks

struct Chunk {
  std::uint64_t sequence = 0;
  std::uint64_t first_line = 1;  // the number of the chunk's first line
  // Whole lines, each ending in '\n' (the last one possibly not, at the end of the input),
  // followed by kNdjsonPadding readable bytes; `size` is the length without the padding.
  std::string input;
  std::size_t size = 0;
  // Set when the line after the chunk's lines was longer than kMaxLineBytes: it was
  // skipped, and its error is written after the chunk's results.
  bool overlong_line_follows = false;
  std::string output;
  std::uint64_t records = 0;
  std::uint64_t errors = 0;
};

// Reads the input into chunks of whole lines.
class LineReader {
 public:
  LineReader(const BatchInput& input, std::uint64_t first_line)
      : input_(input), next_line_(first_line) {}

  // Fills `chunk` with the next lines; false at the end of the input (the chunk is empty).
  // Throws what the input throws.
  bool next(Chunk& chunk) {
    chunk.input.assign(carry_);
    carry_.clear();
    chunk.overlong_line_follows = false;
    chunk.first_line = next_line_;
    std::size_t scanned = 0;  // chunk.input[0, scanned) holds no line break
    while (true) {
      if (chunk.input.size() >= kChunkBytes) {
        const void* found =
            ::memrchr(chunk.input.data() + scanned, '\n', chunk.input.size() - scanned);
        if (found != nullptr) {
          const auto after =
              static_cast<std::size_t>(static_cast<const char*>(found) - chunk.input.data()) + 1;
          carry_.assign(chunk.input, after);
          chunk.input.resize(after);
          break;
        }
        scanned = chunk.input.size();
        if (chunk.input.size() > kMaxLineBytes) {
          // One line fills the buffer: skip the rest of it without keeping it.
          skip_rest_of_line();
          chunk.input.clear();
          chunk.overlong_line_follows = true;
          break;
        }
      }
      if (end_) {
        break;
      }
      fill(chunk.input);
    }
    chunk.size = chunk.input.size();
    for (const char* at = chunk.input.data(); at < chunk.input.data() + chunk.size; ++at) {
      at = static_cast<const char*>(
          std::memchr(at, '\n', static_cast<std::size_t>(chunk.input.data() + chunk.size - at)));
      if (at == nullptr) {
        break;
      }
      ++next_line_;
    }
    if (chunk.overlong_line_follows ||
        (end_ && !chunk.input.empty() && chunk.input.back() != '\n')) {
      next_line_ += 1;
    }
    bytes_read_total_.store(bytes_read_, std::memory_order_relaxed);
    chunk.input.resize(chunk.size + kNdjsonPadding, '\0');
    return chunk.size > 0 || chunk.overlong_line_follows;
  }

  // The number of the line after the last one read (read only after the reading ends).
  [[nodiscard]] std::uint64_t next_line() const { return next_line_; }

  // Safe to call from any thread.
  [[nodiscard]] std::uint64_t bytes_read() const {
    return bytes_read_total_.load(std::memory_order_relaxed);
  }

 private:
  // Appends up to kChunkBytes more bytes of input; sets end_ at the end of the input.
  void fill(std::string& buffer) {
    const std::size_t old_size = buffer.size();
    buffer.resize(old_size + kChunkBytes);
    const std::size_t count = read_some(buffer.data() + old_size, kChunkBytes);
    buffer.resize(old_size + count);
    if (count == 0) {
      end_ = true;
    }
  }

  std::size_t read_some(char* data, std::size_t capacity) {
    const std::size_t count = input_(data, capacity);
    bytes_read_ += count;
    return count;
  }

  void skip_rest_of_line() {
    std::string block(kChunkBytes, '\0');
    while (true) {
      const std::size_t count = read_some(block.data(), block.size());
      if (count == 0) {
        end_ = true;
        return;
      }
      const std::size_t found = std::string_view(block.data(), count).find('\n');
      if (found != std::string_view::npos) {
        carry_.assign(block.data() + found + 1, count - found - 1);
        return;
      }
    }
  }

  const BatchInput& input_;
  std::string carry_;
  bool end_ = false;
  std::uint64_t next_line_;
  std::uint64_t bytes_read_ = 0;
  std::atomic<std::uint64_t> bytes_read_total_{0};
};

std::string overlong_message() {
  return fmt::format("the line is longer than the limit of {} bytes; it was skipped",
                     kMaxLineBytes);
}

bool is_blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

// One worker's state: everything evaluating a line needs, reused from line to line.
//
// When the guideline's program runs on blocks, the lines read are collected into a
// FactBlock and evaluated 64 at a time; their results and the error lines between them are
// written in line order when the block is evaluated (when it is full, and at the end of
// each chunk). Otherwise each line is evaluated alone.
class Worker {
 public:
  // Whether some recommendation reports values: such a guideline is evaluated line by line,
  // so that each line's reported values can be read from its scratch.
  static bool reports_values(const Guideline& guideline) {
    for (const RecommendationInfo& info : guideline.recommendations()) {
      if (!info.reported.empty()) {
        return true;
      }
    }
    return false;
  }

  Worker(const Guideline& guideline, const ResultWriter& writer, const DateTime& as_of)
      : guideline_(guideline),
        writer_(writer),
        as_of_(as_of),
        reader_(guideline.facts()),
        facts_(guideline.facts().size()),
        record_reader_(guideline.facts()),
        use_blocks_(guideline.program().runs_on_blocks() && !reports_values(guideline)),
        block_(guideline.facts().size()) {}

  void process(Chunk& chunk) {
    chunk.output.clear();
    chunk.records = 0;
    chunk.errors = 0;
    std::uint64_t line_number = chunk.first_line;
    const char* data = chunk.input.data();
    std::size_t at = 0;
    while (at < chunk.size) {
      const auto* found = static_cast<const char*>(std::memchr(data + at, '\n', chunk.size - at));
      const std::size_t end =
          found != nullptr ? static_cast<std::size_t>(found - data) : chunk.size;
      const std::string_view line(data + at, end - at);
      at = end + 1;
      if (!is_blank(line)) {
        ++chunk.records;
        if (line.size() > kMaxLineBytes) {
          // The reader keeps a line it finds the end of while filling; the limit is exact here.
          ++chunk.errors;
          ResultWriter::message(error_output(chunk), line_number, overlong_message());
          end_error(line_number);
        } else if (starts_as_record(line, line_number)) {
          record(chunk, line_number, line);
        } else if (reader_.read(line, facts_, diagnostics_, line_number == 1)) {
          accept(chunk, line_number, facts_);
        } else if (looks_like_fhir_resource(line)) {
          diagnostics_ = Diagnostics();  // a record whose `resourceType` is not its first key
          record(chunk, line_number, line);
        } else {
          ++chunk.errors;
          ResultWriter::error(error_output(chunk), line_number, diagnostics_);
          end_error(line_number);
          diagnostics_ = Diagnostics();
        }
      }
      ++line_number;
    }
    if (chunk.overlong_line_follows) {
      ++chunk.records;
      ++chunk.errors;
      ResultWriter::message(error_output(chunk), line_number, overlong_message());
      end_error(line_number);
    }
    flush(chunk);
  }

 private:
  // A line read since the last flush: a row of the block, or an error line whose output is
  // errors_[begin, end).
  struct Pending {
    std::uint64_t line = 0;
    std::size_t row = kErrorRow;
    std::size_t begin = 0;
    std::size_t end = 0;
  };
  static constexpr std::size_t kErrorRow = FactBlock::kCapacity;

  // Whether the line is a FHIR record rather than a fact set: an object whose first key is
  // `resourceType` (after a byte order mark on line 1). Other records are recognised when
  // the fact reader rejects them (looks_like_fhir_resource).
  static bool starts_as_record(std::string_view line, std::uint64_t line_number) {
    if (line_number == 1 && line.substr(0, 3) == kByteOrderMark) {
      line.remove_prefix(3);
    }
    const auto skip_blanks = [&line] {
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
        line.remove_prefix(1);
      }
    };
    skip_blanks();
    if (line.empty() || line.front() != '{') {
      return false;
    }
    line.remove_prefix(1);
    skip_blanks();
    return line.substr(0, 14) == "\"resourceType\"";
  }

  // Reads a record line through the bindings and evaluates it, or writes its error.
  void record(Chunk& chunk, std::uint64_t line_number, std::string_view line) {
    if (line_number == 1 && line.substr(0, 3) == kByteOrderMark) {
      line.remove_prefix(3);  // columns count from after it, as for fact sets
    }
    record_reader_.read(line, as_of_, reading_);
    if (reading_.ok()) {
      accept(chunk, line_number, reading_.facts);
      return;
    }
    ++chunk.errors;
    ResultWriter::record_error(error_output(chunk), line_number, *reading_.error);
    end_error(line_number);
  }

  // Evaluates a line's facts (now, or with its block) and writes its result.
  void accept(Chunk& chunk, std::uint64_t line_number, FactSet& facts) {
    guideline_.set_evaluation_date(facts, as_of_);
    if (use_blocks_) {
      pending_.push_back({line_number, block_.push_back(facts), 0, 0});
      if (block_.full()) {
        flush(chunk);
      }
    } else {
      guideline_.evaluate(facts, scratch_, decision_);
      writer_.result(chunk.output, line_number, guideline_, facts, scratch_, decision_);
    }
  }

  // Where an error line's output goes: straight to the chunk when nothing waits for a
  // block, else after the waiting lines (end_error records where it ends).
  std::string& error_output(Chunk& chunk) {
    error_begin_ = errors_.size();
    return pending_.empty() ? chunk.output : errors_;
  }
  void end_error(std::uint64_t line) {
    if (!pending_.empty()) {
      pending_.push_back({line, kErrorRow, error_begin_, errors_.size()});
    }
  }

  // Evaluates the block and writes every pending line in order.
  void flush(Chunk& chunk) {
    if (pending_.empty()) {
      return;
    }
    guideline_.evaluate(block_, block_scratch_, block_decision_);
    for (const Pending& pending : pending_) {
      if (pending.row == kErrorRow) {
        chunk.output.append(errors_, pending.begin, pending.end - pending.begin);
      } else {
        writer_.result(chunk.output, pending.line, guideline_, block_decision_, pending.row,
                       block_scratch_, fact_list_);
      }
    }
    pending_.clear();
    errors_.clear();
    block_.clear();
  }

  const Guideline& guideline_;
  const ResultWriter& writer_;
  DateTime as_of_;  // the evaluation date of every line
  NdjsonFactReader reader_;
  FactSet facts_;
  RecordReader record_reader_;
  RecordReading reading_;  // the last record line read
  EvaluationScratch scratch_;
  Decision decision_;
  Diagnostics diagnostics_;
  bool use_blocks_;
  FactBlock block_;
  BlockScratch block_scratch_;
  BlockDecision block_decision_;
  std::vector<Pending> pending_;
  std::string errors_;
  std::size_t error_begin_ = 0;
  std::vector<FactId> fact_list_;  // working memory for a row's missing or despite facts
};

// ---------------------------------------------------------------------------------------
// The run

}  // namespace

BatchTotals run_batch(const Guideline& guideline, const BatchOptions& options,
                      const BatchInput& input, const BatchOutput& output) {
  const ResultWriter writer(guideline, options.compact);
  LineReader reader(input, options.first_line);
  const DateTime& as_of = options.as_of;
  const std::size_t threads = options.threads;
  BatchTotals totals;
  const auto write = [&](const Chunk& chunk) {
    totals.records += chunk.records;
    totals.errors += chunk.errors;
    output(chunk.output, totals, reader.bytes_read());
  };
  if (threads <= 1) {
    Worker worker(guideline, writer, as_of);
    Chunk chunk;
    while (reader.next(chunk)) {
      worker.process(chunk);
      write(chunk);
    }
    totals.lines = reader.next_line() - options.first_line;
    return totals;
  }

  // Slots hold chunks in flight; chunk `sequence` lives in slot `sequence % slots.size()`.
  enum class SlotState { free, filled, done };
  struct Slot {
    Chunk chunk;
    SlotState state = SlotState::free;
  };
  std::vector<Slot> slots(kChunksPerWorker * threads + 2);
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::uint64_t> work;
  std::uint64_t chunks_read = 0;
  bool input_finished = false;
  bool stopping = false;
  std::exception_ptr failure;

  const auto read_chunks = [&] {
    try {
      Chunk chunk;
      for (std::uint64_t sequence = 0;; ++sequence) {
        Slot& slot = slots[sequence % slots.size()];
        {
          std::unique_lock lock(mutex);
          changed.wait(lock, [&] { return slot.state == SlotState::free || stopping; });
          if (stopping) {
            break;
          }
        }
        // The slot is free: only this thread touches it until it is published.
        if (!reader.next(slot.chunk)) {
          break;
        }
        slot.chunk.sequence = sequence;
        std::lock_guard lock(mutex);
        slot.state = SlotState::filled;
        work.push_back(sequence);
        ++chunks_read;
        changed.notify_all();
      }
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!failure) {
        failure = std::current_exception();
      }
    }
    std::lock_guard lock(mutex);
    input_finished = true;
    changed.notify_all();
  };

  // A worker or the output that throws stops the run: `stopping` wakes every thread, and the
  // first exception is rethrown once all are joined.
  const auto fail = [&](std::exception_ptr exception) {
    std::lock_guard lock(mutex);
    if (!failure) {
      failure = std::move(exception);
    }
    stopping = true;
    changed.notify_all();
  };
  const auto work_on_chunks = [&] {
    try {
      Worker worker(guideline, writer, as_of);
      while (true) {
        std::uint64_t sequence = 0;
        {
          std::unique_lock lock(mutex);
          changed.wait(lock, [&] { return !work.empty() || input_finished || stopping; });
          if (work.empty() || stopping) {
            return;
          }
          sequence = work.front();
          work.pop_front();
        }
        Slot& slot = slots[sequence % slots.size()];
        worker.process(slot.chunk);
        std::lock_guard lock(mutex);
        slot.state = SlotState::done;
        changed.notify_all();
      }
    } catch (...) {
      fail(std::current_exception());
    }
  };

  // The threads are joined on every way out, a failure to start one included.
  std::thread reader_thread;
  std::vector<std::thread> workers;
  try {
    try {
      reader_thread = std::thread(read_chunks);
      for (std::size_t index = 0; index < threads; ++index) {
        workers.emplace_back(work_on_chunks);
      }
    } catch (const std::system_error& error) {
      throw std::runtime_error(
          fmt::format("cannot start {} worker threads: {}", threads, error.code().message()));
    }
    for (std::uint64_t sequence = 0;; ++sequence) {
      Slot& slot = slots[sequence % slots.size()];
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] {
          return (slot.state == SlotState::done && slot.chunk.sequence == sequence) ||
                 (input_finished && sequence >= chunks_read) || stopping;
        });
        if (slot.state != SlotState::done || slot.chunk.sequence != sequence) {
          break;
        }
      }
      write(slot.chunk);
      std::lock_guard lock(mutex);
      slot.state = SlotState::free;
      changed.notify_all();
    }
  } catch (...) {
    fail(std::current_exception());
  }
  {
    std::lock_guard lock(mutex);
    stopping = true;
    changed.notify_all();
  }
  if (reader_thread.joinable()) {
    reader_thread.join();
  }
  for (std::thread& worker : workers) {
    worker.join();
  }
  if (failure) {
    std::rethrow_exception(failure);
  }
  totals.lines = reader.next_line() - options.first_line;
  return totals;
}

}  // namespace rubric
