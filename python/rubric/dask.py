"""Rubric on Dask: a guideline over a population too large for one machine.

    import dask.bag, rubric.dask
    lines = dask.bag.read_text("population/*.ndjson")
    results = rubric.dask.evaluate(lines, "guideline.rubric", as_of="2026-06-15")
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

__all__ = ["evaluate", "evaluate_frame"]


def _count(lines) -> int:
    return sum(1 for _ in lines)


def _evaluate_part(lines, guideline, first_line, compact, as_of, threads):
    data = "".join(lines).encode("utf-8", "surrogateescape")
    out = guideline.evaluate_lines(data, compact=compact, as_of=as_of, threads=threads,
                                   first_line=first_line)
    return out.decode("utf-8", "surrogateescape").splitlines(keepends=True)


def _fixed_date(as_of) -> str:
    # Today's date is fixed once, when the graph is built, so that every partition of one
    # run is evaluated as of the same day.
    text = _date_text(as_of)
    if text == "":
        text = _datetime.datetime.now(_datetime.timezone.utc).date().isoformat()
    return text


def evaluate(bag, guideline, compact: bool = False, as_of=None, threads: int = 1):
    """Evaluates a bag of NDJSON lines (``dask.bag.read_text``: one fact set or FHIR record a
    line) and returns a bag of result lines, in the same order, whose text joined is byte for
    byte what ``rubric batch`` writes for the lines joined (errors in place; line numbers count
    across the whole bag, as for one file). ``guideline`` is a Guideline or a path.

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


def evaluate_frame(frame, guideline, as_of=None, ignore=()):
    """Evaluates a Dask DataFrame (one column per fact) partition by partition; the result has
    one outcome column per recommendation and an ``error`` column, as
    ``rubric.pandas.evaluate_frame`` gives for a pandas DataFrame."""
    guideline = _as_guideline(guideline)
    as_of_text = _fixed_date(as_of)
    meta = _rubric_pandas.result_frame(guideline, index=frame._meta.index)
    return frame.map_partitions(_rubric_pandas.evaluate_frame, guideline, as_of=as_of_text,
                                ignore=tuple(ignore), meta=meta)
