// The evaluation of NDJSON lines that `rubric batch` and the Python module's `evaluate_lines`
// share, so that both write the same bytes for the same input: one JSON result a line, in
// input order, errors in place (docs/batch.md).
//
// Each input line is a fact set (a JSON object in the fact-file format) or a FHIR resource
// (an object whose `resourceType` makes it a record, read through the rule file's bindings).
// Blank lines are skipped but counted in line numbers.
//
// The run is a pipeline over chunks of whole lines: a reader fills chunks, N workers each
// parse (NdjsonFactReader, or RecordReader for a Bundle) and evaluate (own scratch; 64 lines
// at a time in a FactBlock when the guideline runs on blocks) the lines of one chunk into that
// chunk's output text, and the writer (the calling thread) hands chunks to the output in
// sequence order. At most 3 * N + 2 chunks are in flight, each holding about 256 KiB of input
// (or one line, up to kMaxSourceBytes), so memory does not grow with the input. With one
// thread, the same steps run in turn on the calling thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "engine/guideline.hpp"
#include "values/date_time.hpp"

namespace rubric {

struct BatchTotals {
  std::uint64_t records = 0;  // non-blank lines read
  std::uint64_t errors = 0;   // lines rejected (their result is an error line)
  // Every line read, blank ones included (set when the run ends): a last line without a line
  // break counts.
  std::uint64_t lines = 0;
};

// Fills up to `capacity` bytes at `data` with the next input bytes; returns how many, 0 at
// the end of the input. May throw std::system_error; the run then stops and rethrows it.
using BatchInput = std::function<std::size_t(char* data, std::size_t capacity)>;

// Receives the results of the next lines, in input order, on the thread that called
// run_batch; `totals` and `bytes_read` are the counts so far (for progress). An exception it
// throws stops the run and is rethrown.
using BatchOutput =
    std::function<void(std::string_view text, const BatchTotals& totals, std::uint64_t bytes_read)>;

struct BatchOptions {
  std::size_t threads = 1;  // worker threads; 1 runs everything on the calling thread
  bool compact = false;     // only ids: recommended, undetermined with their missing facts
  DateTime as_of;           // the evaluation date of every line (`Today()`)
  // The number of the input's first line. A UTF-8 byte order mark is skipped only at line 1,
  // the start of a file; a later number continues a file split into parts (Dask partitions).
  std::uint64_t first_line = 1;
};

// Evaluates every line of `input` with `guideline`, which must outlive the call, and hands
// the results to `output`. Thread-safe for one guideline shared by several calls: each call
// has its own readers and scratch.
BatchTotals run_batch(const Guideline& guideline, const BatchOptions& options,
                      const BatchInput& input, const BatchOutput& output);

}  // namespace rubric
