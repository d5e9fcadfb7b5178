"""Rubric on Dask: a guideline over a population too large for one machine.

    import dask.bag, rubric.dask
    results = rubric.dask.evaluate_files("population/*.ndjson", "guideline.rubric",
                                         as_of="2026-06-15")
    results.to_textfiles("results/*.ndjson")

A Guideline pickles as its source text, so each worker compiles it once and evaluates its
partitions with the engine, without the GIL. See docs/python.md.
"""

from __future__ import annotations

import datetime as _datetime
import itertools as _itertools

import dask as _dask
import dask.bag as _bag

from . import _as_guideline, _date_text
from . import pandas as _rubric_pandas

__all__ = ["evaluate", "evaluate_files", "evaluate_frame"]


def _count(lines) -> int:
    return sum(1 for _ in lines)


def _evaluate_part(lines, guideline, first_line, compact, as_of, threads):
    data = "".join(lines).encode("utf-8", "surrogateescape")
    out = guideline.evaluate_lines(data, compact=compact, as_of=as_of, threads=threads,
                                   first_line=first_line)
    # One result a line; only "\n" ends a result (str.splitlines would also split at U+2028).
    return out.decode("utf-8", "surrogateescape").split("\n")[:-1]


def _fixed_date(as_of) -> str:
    # Today's date is fixed once, when the graph is built, so that every partition of one
    # run is evaluated as of the same day.
    text = _date_text(as_of)
    if text == "":
        text = _datetime.datetime.now(_datetime.timezone.utc).date().isoformat()
    return text


def evaluate(bag, guideline, compact: bool = False, as_of=None, threads: int = 1):
    """Evaluates a bag of NDJSON lines (``dask.bag.read_text``: one fact set or FHIR record a
    line) and returns a bag of results, one JSON text a line without its line break, in the
    same order: ``"\\n".join(results) + "\\n"`` is byte for byte what ``rubric batch`` writes for
    the lines joined (errors in place; line numbers count across the whole bag, as for one
    file), and ``to_textfiles(..., last_endline=True)`` writes it. ``guideline`` is a
    Guideline or a path.

    Line numbers need each partition's first line number, so the lines are counted first: the
    bag is computed twice (persist it first if it is expensive to make). ``threads`` is the
    engine's threads per partition; Dask's workers already run partitions in parallel."""
    guideline = _as_guideline(guideline)
    as_of_text = _fixed_date(as_of)
    parts = bag.to_delayed()
    counts = _dask.compute(*[_dask.delayed(_count)(part) for part in parts])
    firsts = list(_itertools.accumulate([1, *counts[:-1]]))
    evaluate_part = _dask.delayed(_evaluate_part, pure=True)
    results = [
        evaluate_part(part, guideline, first, bool(compact), as_of_text, threads)
        for part, first in zip(parts, firsts)
    ]
    return _bag.from_delayed(results)


def _evaluate_block(block: bytes, guideline, first_line, compact, as_of, threads):
    """(results, number of lines) of one block, its lines numbered from `first_line`; a last
    line without a line break (the end of a file) is a line of its own."""
    return guideline._compiled.evaluate_block(block, compact, as_of, threads, first_line)


def _renumber(evaluated, lines_before: int) -> list:
    """The block's results as one string (a partition of one item), its line numbers moved to
    where the block is in the whole input."""
    from . import _rubric

    results, _ = evaluated
    # Blocks after the first were numbered from 2 (a byte order mark is skipped only at line 1
    # of the whole input); their first line is lines_before + 1.
    shift = lines_before - 1 if lines_before > 0 else 0
    if shift:
        results = _rubric.shift_line_numbers(results, shift)
    return [results.decode("utf-8", "surrogateescape")]


def _lines_after(lines_before: int, evaluated) -> int:
    return lines_before + evaluated[1]


def evaluate_files(urlpath, guideline, compact: bool = False, as_of=None, threads: int = 1,
                   blocksize="64MiB", **storage_options):
    """Evaluates NDJSON files (a path, a glob or a list, as ``dask.bytes.read_bytes`` takes them,
    local or remote) in blocks of whole lines, without a Python object per line: the fast way
    to a population. Returns a bag with one string per block, the results of its lines; joined,
    they are what ``rubric batch`` writes for the files one after the other (a file's last line
    ends at the file's end even without a line break). ``results.to_textfiles(...)`` writes them.

    Each block is read once and evaluated with its lines numbered from where it starts; then,
    once the blocks before it have been counted, its line numbers are moved by that many."""
    from dask.bytes import read_bytes

    guideline = _as_guideline(guideline)
    as_of_text = _fixed_date(as_of)
    _, blocks = read_bytes(urlpath, delimiter=b"\n", blocksize=blocksize, sample=False,
                           **storage_options)
    blocks = [block for file_blocks in blocks for block in file_blocks]
    evaluate_block = _dask.delayed(_evaluate_block, pure=True)
    evaluated = [
        evaluate_block(block, guideline, 1 if index == 0 else 2, bool(compact), as_of_text, threads)
        for index, block in enumerate(blocks)
    ]
    results = []
    lines_before = 0
    for item in evaluated:
        results.append(_dask.delayed(_renumber, pure=True)(item, lines_before))
        lines_before = _dask.delayed(_lines_after, pure=True)(lines_before, item)
    return _bag.from_delayed(results)


def evaluate_frame(frame, guideline, as_of=None, ignore=()):
    """Evaluates a Dask DataFrame (one column per fact) partition by partition; the result has
    one outcome column per recommendation and an ``error`` column, as
    ``rubric.pandas.evaluate_frame`` gives for a pandas DataFrame."""
    guideline = _as_guideline(guideline)
    as_of_text = _fixed_date(as_of)
    meta = _rubric_pandas.result_frame(guideline, index=frame._meta.index)
    return frame.map_partitions(_rubric_pandas.evaluate_frame, guideline, as_of=as_of_text,
                                ignore=tuple(ignore), meta=meta)
