"""Rubric on pandas DataFrames: one row per patient, one column per fact.

    import rubric.pandas
    outcomes = rubric.pandas.evaluate_frame(frame, "guideline.rubric", as_of="2026-06-15")

The rows travel to the engine as one block of NDJSON (pandas writes it in C) and the outcomes
come back as one array of codes, so no Python object is made per row on the way.
"""

from __future__ import annotations

import numpy as _numpy
import pandas as _pandas

from . import OUTCOMES, _as_guideline, _date_text

__all__ = ["OUTCOME_TYPE", "evaluate_frame", "result_frame"]

#: The type of the outcome columns: "not made", "recommended", "undetermined".
OUTCOME_TYPE = _pandas.CategoricalDtype(list(OUTCOMES))

#: The column that holds a rejected row's error (None for a row that was evaluated).
ERROR_COLUMN = "error"


def result_frame(guideline, index=None) -> _pandas.DataFrame:
    """An empty result table for ``guideline``: its columns and their types (Dask's ``meta``)."""
    guideline = _as_guideline(guideline)
    columns = {
        item["id"]: _pandas.Series(_pandas.Categorical([], dtype=OUTCOME_TYPE), dtype=OUTCOME_TYPE)
        for item in guideline.recommendations
    }
    columns[ERROR_COLUMN] = _pandas.Series([], dtype=object)
    return _pandas.DataFrame(columns, index=index if index is not None else _pandas.RangeIndex(0))


def _fact_columns(frame, guideline, ignore):
    facts = {fact["name"]: fact for fact in guideline.facts}
    ignored = set(ignore)
    unknown = [str(column) for column in frame.columns if column not in facts and column not in ignored]
    if unknown:
        names = ", ".join(f"`{name}`" for name in unknown)
        raise ValueError(
            f"columns {names} are not facts of `{guideline.id}`; its facts are "
            + ", ".join(f"`{name}`" for name in facts)
            + "; leave other columns out with ignore=[...]"
        )
    return [column for column in frame.columns if column in facts], facts


def _as_fact_values(frame, columns, facts):
    """The columns as the fact-file format wants them: dates as `YYYY-MM-DD`, whole numbers in
    float columns of integer facts (pandas makes them float to hold NaN) as integers."""
    table = frame[columns]
    converted = {}
    for column in columns:
        series = table[column]
        kind = facts[column]["type"]
        if _pandas.api.types.is_datetime64_any_dtype(series):
            values = series.dt.tz_localize(None) if getattr(series.dt, "tz", None) is not None else series
            midnight = values.dropna().dt.normalize().eq(values.dropna()).all()
            text = values.dt.strftime("%Y-%m-%d" if midnight and kind == "date" else "%Y-%m-%dT%H:%M:%S")
            converted[column] = text.where(series.notna(), None)
        elif kind == "integer" and _pandas.api.types.is_float_dtype(series):
            present = series.dropna()
            if (present == _numpy.floor(present)).all() and _numpy.isfinite(present).all():
                converted[column] = series.astype("Int64")
    if converted:
        table = table.assign(**converted)
    return table


def evaluate_frame(frame, guideline, as_of=None, ignore=()) -> _pandas.DataFrame:
    """Evaluates every row of ``frame`` (one column per fact, missing values absent) and returns
    a frame with the same index and one column per recommendation, each row's outcome
    ("recommended", "undetermined" or "not made"), and an ``error`` column: None, or why the
    row was rejected (its outcomes are then missing). Columns named in ``ignore`` are left out;
    any other column that is not a fact is an error."""
    guideline = _as_guideline(guideline)
    as_of_text = _date_text(as_of)
    columns, facts = _fact_columns(frame, guideline, ignore)
    recommendations = [item["id"] for item in guideline.recommendations]
    rows = len(frame)
    if rows == 0:
        return result_frame(guideline, index=frame.index)
    table = _as_fact_values(frame, columns, facts)
    # Floats go with 10 digits after the point, rounded, which writes every value the engine
    # accepts (at most 8 digits after the point) as its shortest decimal text: 19.9, not
    # 19.899999999999999 (what 15 digits would write, and the engine would reject).
    if columns:
        lines = table.to_json(orient="records", lines=True, date_format="iso", double_precision=10,
                              force_ascii=False)
    else:
        lines = "{}\n" * rows
    outcomes, errors = guideline._compiled.outcome_table(lines.encode("utf-8", "surrogateescape"), as_of_text)
    codes = _numpy.frombuffer(outcomes, dtype=_numpy.uint8).reshape(-1, len(recommendations)) if recommendations \
        else _numpy.zeros((rows, 0), dtype=_numpy.uint8)
    if codes.shape[0] != rows:
        raise RuntimeError(f"rubric: {codes.shape[0]} results for {rows} rows")
    signed = codes.astype(_numpy.int8)  # 255, a rejected row, becomes -1: missing
    result = {
        recommendation: _pandas.Categorical.from_codes(signed[:, position], dtype=OUTCOME_TYPE)
        for position, recommendation in enumerate(recommendations)
    }
    error_column = _numpy.full(rows, None, dtype=object)
    for row, message in errors:
        error_column[row] = message
    result[ERROR_COLUMN] = error_column
    return _pandas.DataFrame(result, index=frame.index)
