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


def _lines_in_block(block: bytes) -> int:
    # A block ends at a line break, or at the end of its file (a last line without one).
    return block.count(b"\n") + (1 if block and not block.endswith(b"\n") else 0)


def _evaluate_block(block: bytes, guideline, first_line, compact, as_of, threads) -> list:
    if block and not block.endswith(b"\n"):
        block += b"\n"  # the file's last line: the next file starts a line of its own
    out = guideline.evaluate_lines(block, compact=compact, as_of=as_of, threads=threads,
                                   first_line=first_line)
    return [out.decode("utf-8", "surrogateescape")]  # a partition of one string


def evaluate_files(urlpath, guideline, compact: bool = False, as_of=None, threads: int = 1,
                   blocksize="64MiB", **storage_options):
    """Evaluates NDJSON files (a path, a glob or a list, as ``dask.bytes.read_bytes`` takes them,
    local or remote) in blocks of whole lines, without a Python object per line: the fast way
    to a population. Returns a bag with one string per block, the results of its lines; joined,
    they are what ``rubric batch`` writes for the files one after the other (a file's last line
    ends at the file's end even without a line break). ``results.to_textfiles(...)`` writes them.

    The blocks are read twice: once to count their lines (for the line numbers), once to
    evaluate them."""
    from dask.bytes import read_bytes

    guideline = _as_guideline(guideline)
    as_of_text = _fixed_date(as_of)
    _, blocks = read_bytes(urlpath, delimiter=b"\n", blocksize=blocksize, sample=False,
                           **storage_options)
    blocks = [block for file_blocks in blocks for block in file_blocks]
    counts = _dask.compute(*[_dask.delayed(_lines_in_block)(block) for block in blocks])
    firsts = list(_itertools.accumulate([1, *counts[:-1]]))
    evaluate_block = _dask.delayed(_evaluate_block, pure=True)
    results = [
        evaluate_block(block, guideline, first, bool(compact), as_of_text, threads)
        for block, first in zip(blocks, firsts)
    ]
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
