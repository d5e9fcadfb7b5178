"""Rubric on pandas DataFrames: one row per patient, one column per fact.

    import rubric.pandas
    outcomes = rubric.pandas.evaluate_frame(frame, "guideline.rubric", as_of="2026-06-15")

Number and boolean columns travel to the engine as arrays and the outcomes come back as one
array of codes, so no Python object is made per row on the way; the engine reads each value as
the scalar a fact file would write (a float as its shortest decimal text), so a row is accepted
exactly when `Guideline.evaluate` accepts the same values.
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


def _datetime_texts(series, kind):
    """A datetime64 column as fact-file texts, value by value: a date fact's midnight as
    `YYYY-MM-DD`, else ISO 8601 with milliseconds (and `Z` for a time-zone-aware column, in
    UTC)."""
    aware = getattr(series.dt, "tz", None) is not None
    values = series.dt.tz_convert("UTC") if aware else series
    stamps = values.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + ("Z" if aware else "")
    if kind == "date":
        midnight = values.dt.normalize() == values
        stamps = stamps.where(~midnight, values.dt.strftime("%Y-%m-%d"))
    return stamps.to_numpy(dtype=object).tolist()


def _column(series, fact):
    """(name, kind, values, missing) for the engine: numbers and booleans as arrays, anything
    else as the Python values (the engine reads each as a fact file would write it)."""
    name = fact["name"]
    missing = series.isna().to_numpy(dtype=bool)
    if _pandas.api.types.is_datetime64_any_dtype(series):
        return (name, "object", _datetime_texts(series, fact["type"]), missing)
    if _pandas.api.types.is_bool_dtype(series):
        return (name, "bool", series.to_numpy(dtype=bool, na_value=False), missing)
    if _pandas.api.types.is_integer_dtype(series) and series.dtype.kind != "u":
        return (name, "int", series.to_numpy(dtype=_numpy.int64, na_value=0), missing)
    if _pandas.api.types.is_float_dtype(series):
        return (name, "float", series.to_numpy(dtype=_numpy.float64, na_value=_numpy.nan), missing)
    return (name, "object", series.to_numpy(dtype=object).tolist(), missing)


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
    if ERROR_COLUMN in recommendations:
        raise ValueError(f"`{guideline.id}` has a recommendation named `{ERROR_COLUMN}`, the name of "
                         "the result's error column")
    prepared = [_column(frame[column], facts[column]) for column in columns]
    outcomes, errors = guideline._compiled.outcome_table(prepared, rows, as_of_text)
    codes = _numpy.frombuffer(outcomes, dtype=_numpy.uint8).reshape(rows, len(recommendations))
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
