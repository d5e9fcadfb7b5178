"""Rubric: clinical guidelines written as rule files, evaluated for patients.

Compile a rule file once, then evaluate fact sets, FHIR records or whole NDJSON files with it::

    import rubric

    guideline = rubric.Guideline.load("guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric")
    result = guideline.evaluate({"fracture_grade": 1, "pain_vas": 6.5}, as_of="2026-06-15")
    [item["id"] for item in result["recommendations"]]

Every result has the JSON shape of the command line (``rubric eval --format json``,
``rubric explain --format json``, ``rubric batch``), and ``evaluate_lines`` writes the very bytes
``rubric batch`` writes. A ``Guideline`` is immutable and safe to share between threads; its
evaluations release the GIL. It pickles as its source text, so it travels to Dask workers
(``rubric.dask``). See docs/python.md.
"""

from __future__ import annotations

import datetime as _datetime
import functools as _functools
import json as _json
import math as _math
import operator as _operator
import os as _os
from dataclasses import dataclass as _dataclass

from . import _rubric

__all__ = ["CompileError", "Diagnostic", "Guideline", "OUTCOMES"]

#: The outcome of a recommendation for one patient, as the table functions name it
#: (``rubric.pandas.evaluate_frame``): made, waiting on missing facts, or not made.
OUTCOMES = ("not made", "recommended", "undetermined")

_MAX_SOURCE_BYTES = _rubric.max_source_bytes


@_dataclass(frozen=True)
class Diagnostic:
    """One problem the checker found in a rule file (docs/diagnostics.md)."""

    code: str  #: "E0201"
    severity: str  #: "error", "warning" or "note"
    line: int  #: one-based
    column: int  #: one-based, in Unicode code points
    message: str

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.severity}[{self.code}]: {self.message}"


class CompileError(Exception):
    """A rule file that does not compile; ``diagnostics`` lists every problem found."""

    def __init__(self, name: str, diagnostics: list[Diagnostic], formatted: str) -> None:
        super().__init__(formatted.rstrip("\n") or f"`{name}` does not compile")
        self.name = name
        self.diagnostics = diagnostics
        self.formatted = formatted

    def __reduce__(self):
        return (CompileError, (self.name, self.diagnostics, self.formatted))


@_functools.lru_cache(maxsize=32)
def _compile_cached(text: bytes, name: str):
    # One compilation per rule-file text and name in a process: unpickling a Guideline in a
    # Dask worker for every partition reuses the first one.
    return _rubric.compile(text, name)


def _whole_number(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected a number from {low} to {high}, got {value!r}")
    try:
        number = _operator.index(value)  # int, numpy integers
    except TypeError:
        raise ValueError(f"{name}: expected a number from {low} to {high}, got {value!r}") from None
    if not low <= number <= high:
        raise ValueError(f"{name}: expected a number from {low} to {high}, got {number}")
    return number


def _date_text(as_of) -> str:
    """The evaluation date as the engine reads it; "" means today's date in UTC."""
    if as_of is None:
        return ""
    if isinstance(as_of, _datetime.datetime):
        raise TypeError(
            f"as_of: expected a date, got the date and time `{as_of.isoformat()}`; "
            "pass `.date()` or a `YYYY-MM-DD` string"
        )
    if isinstance(as_of, _datetime.date):
        return as_of.isoformat()
    if isinstance(as_of, str):
        if as_of == "":
            raise ValueError("as_of: the evaluation date is empty; write `YYYY-MM-DD`")
        return as_of
    raise TypeError(f"as_of: expected a date or a `YYYY-MM-DD` string, got {type(as_of).__name__}")


def _fact_value(name: str, value):
    """A fact's value as the fact-file JSON format writes it."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not _math.isfinite(value):
            raise ValueError(f"fact `{name}`: {value} is not a number a fact can hold")
        return value
    if isinstance(value, _datetime.date):
        return _date_value(value)
    item = getattr(value, "item", None)  # numpy and pandas scalars
    if callable(item) and not isinstance(value, (list, dict, tuple)):
        try:
            plain = item()
        except (TypeError, ValueError):
            plain = value
        if plain is not value:
            return _fact_value(name, plain)
    if isinstance(value, (list, tuple, dict)):
        return value  # the reader rejects it, naming the fact
    raise TypeError(f"fact `{name}`: a {type(value).__name__} cannot be a fact's value")


def _positional(value: float) -> str:
    """The shortest text that reads back as `value`, without an exponent (0.00005, not 5e-05):
    fact files write decimals so, and the reader refuses exponents."""
    text = repr(value)
    if "e" not in text and "E" not in text:
        return text
    # The shortest digits, written out: repr gives them; move the point by the exponent.
    digits, exponent = text.lower().split("e")
    sign = "-" if digits.startswith("-") else ""
    digits = digits.lstrip("-")
    whole, _, fraction = digits.partition(".")
    mantissa = whole + fraction
    point = len(whole) + int(exponent)
    if point <= 0:
        return f"{sign}0.{'0' * -point}{mantissa}".rstrip("0").rstrip(".")
    if point >= len(mantissa):
        return f"{sign}{mantissa}{'0' * (point - len(mantissa))}"
    return f"{sign}{mantissa[:point]}.{mantissa[point:]}"


def _date_value(value) -> str:
    """A date or a date and time as fact files write them: `YYYY-MM-DD`, or ISO 8601 with at
    most milliseconds (more precision is kept, and the reader refuses it) and the offset."""
    if isinstance(value, _datetime.datetime):
        whole_milliseconds = value.microsecond % 1000 == 0
        return value.isoformat(timespec="milliseconds" if whole_milliseconds else "auto")
    return value.isoformat()


def _facts_json(facts) -> bytes:
    """The fact set as one JSON object, floats written out without an exponent."""
    if not hasattr(facts, "items"):
        raise TypeError(f"facts: expected a mapping from fact name to value, got {type(facts).__name__}")
    parts = []
    for name, value in facts.items():
        if not isinstance(name, str):
            raise TypeError(f"facts: fact names are strings, got the key {name!r}")
        value = _fact_value(name, value)
        text = _positional(value) if isinstance(value, float) else _json.dumps(
            value, ensure_ascii=False, allow_nan=False)
        parts.append(_json.dumps(name, ensure_ascii=False) + ":" + text)
    return _utf8("{" + ",".join(parts) + "}")


def _utf8(text: str) -> bytes:
    # Lone surrogates (from bytes decoded with surrogateescape) go back to their bytes; the
    # engine's readers report text that is not UTF-8.
    return text.encode("utf-8", "surrogateescape")


def _record_json(bundle) -> bytes:
    if isinstance(bundle, (bytes, bytearray, memoryview)):
        return bytes(bundle)
    if isinstance(bundle, str):
        return _utf8(bundle)
    if hasattr(bundle, "items"):
        return _utf8(_json.dumps(bundle, ensure_ascii=False, allow_nan=False))
    raise TypeError(f"bundle: expected a dict or JSON text, got {type(bundle).__name__}")


class Guideline:
    """A compiled rule file. Immutable; share it freely between threads.

    Make one with ``Guideline.load(path)`` or ``Guideline.compile(text, name=...)``.
    """

    __slots__ = ("_compiled", "_text", "_name", "_path", "_diagnostics", "_facts", "_recommendations")

    def __init__(self) -> None:
        raise TypeError("make a Guideline with Guideline.load(path) or Guideline.compile(text)")

    @classmethod
    def _make(cls, text: bytes, name: str, path: str | None) -> "Guideline":
        compiled, diagnostics, formatted = _compile_cached(text, name)
        found = [Diagnostic(*item) for item in diagnostics]
        if compiled is None:
            raise CompileError(name, found, formatted)
        self = object.__new__(cls)
        self._compiled = compiled
        self._text = text
        self._name = name
        self._path = path
        self._diagnostics = found
        self._facts = None
        self._recommendations = None
        return self

    @classmethod
    def load(cls, path) -> "Guideline":
        """Reads and compiles the rule file at ``path``; raises ``CompileError`` if it does not
        compile, and ``OSError`` if it cannot be read."""
        path = _os.fspath(path)
        with open(path, "rb") as file:
            text = file.read(_MAX_SOURCE_BYTES + 1)
        if len(text) > _MAX_SOURCE_BYTES:
            raise ValueError(f"`{path}` is larger than the limit of {_MAX_SOURCE_BYTES} bytes")
        return cls._make(text, path, path)

    @classmethod
    def compile(cls, text, name: str = "<text>") -> "Guideline":
        """Compiles rule-file text (``str`` or UTF-8 ``bytes``); ``name`` is the file name its
        diagnostics show. Raises ``CompileError`` if it does not compile."""
        if isinstance(text, str):
            text = text.encode("utf-8", "surrogateescape")
        elif isinstance(text, (bytearray, memoryview)):
            text = bytes(text)
        elif not isinstance(text, bytes):
            raise TypeError(f"text: expected str or bytes, got {type(text).__name__}")
        return cls._make(text, str(name), None)

    # Pickled as its source text, name and path; compiled again where it is unpickled.
    def __reduce__(self):
        return (_rebuild, (self._text, self._name, self._path))

    def __repr__(self) -> str:
        where = f" from {self._path!r}" if self._path else ""
        return f"<rubric.Guideline {self.id!r} version {self.version!r}{where}>"

    @property
    def id(self) -> str:
        """The guideline's id (its `guideline` declaration)."""
        return self._compiled.id

    @property
    def title(self) -> str:
        return self._compiled.title

    @property
    def version(self) -> str:
        return self._compiled.version

    @property
    def path(self) -> str | None:
        """The file it was loaded from; None when compiled from text."""
        return self._path

    @property
    def name(self) -> str:
        """The name its diagnostics and locations show (the path, or ``compile``'s name)."""
        return self._name

    @property
    def source(self) -> str:
        """The rule file's text."""
        return self._text.decode("utf-8", "replace")

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """The warnings the checker gave (a compiled guideline has no errors)."""
        return list(self._diagnostics)

    @property
    def facts(self) -> list[dict]:
        """The declared facts: name, type, unit (quantities), codes (code facts), expected (the
        allowed values in words), description, bound (read from FHIR records)."""
        if self._facts is None:
            self._facts = _json.loads(self._compiled.facts())
        return [dict(fact) for fact in self._facts]

    @property
    def recommendations(self) -> list[dict]:
        """The recommendations, as results show them when made: id, kind, text, citations,
        sources, parameters."""
        if self._recommendations is None:
            self._recommendations = _json.loads(self._compiled.recommendations())
        return [dict(item) for item in self._recommendations]

    def evaluate(self, facts, as_of=None) -> dict:
        """Evaluates one fact set (a mapping from fact name to value, as in a JSON fact file:
        numbers, booleans, strings such as "10 weeks", None for absent; dates may be
        ``datetime.date``). Returns the result of ``rubric eval --format json``. A value that
        breaks its declaration raises ``ValueError`` naming the fact. ``as_of`` is the
        evaluation date (``Today()``), a date or ``YYYY-MM-DD``; by default today in UTC."""
        return _json.loads(self._compiled.evaluate(_facts_json(facts), _date_text(as_of)))

    def evaluate_record(self, bundle, as_of=None) -> dict:
        """Evaluates a FHIR R4 record (a Bundle, as a dict or JSON text), read through the rule
        file's bindings (docs/fhir.md). Bad data raises ``ValueError`` naming the fact and the
        resource."""
        return _json.loads(self._compiled.evaluate_record(_record_json(bundle), _date_text(as_of)))

    def evaluate_lines(self, data, compact: bool = False, as_of=None, threads: int | None = None,
                       first_line: int = 1) -> bytes:
        """Evaluates NDJSON (one fact set or FHIR record a line) and returns what
        ``rubric batch`` writes for it, byte for byte: one JSON result a line, in input order,
        a rejected line's error in its place. Runs without the GIL on ``threads`` threads (by
        default one per core). ``first_line`` numbers the first line (for a part of a file)."""
        if isinstance(data, str):
            data = _utf8(data)
        elif isinstance(data, memoryview) and not data.c_contiguous:
            data = data.tobytes()
        threads = 0 if threads is None else _whole_number("threads", threads, 1, 1024)
        first_line = _whole_number("first_line", first_line, 1, 2**53)
        return self._compiled.evaluate_lines(data, bool(compact), _date_text(as_of), threads,
                                             first_line)

    def explain(self, facts, id=None, as_of=None) -> dict:
        """Explains the decision for a fact set (or a FHIR record: a dict with a
        ``resourceType``): ``rubric explain --format json``, for the recommendation ``id`` (a
        string or a list of them) or all of them."""
        if id is None:
            ids = []
        elif isinstance(id, str):
            ids = [id]
        else:
            ids = [str(item) for item in id]
        if hasattr(facts, "items") and "resourceType" in facts:
            text, is_record = _record_json(facts), True
        else:
            text, is_record = _facts_json(facts), False
        return _json.loads(self._compiled.explain(text, is_record, ids, _date_text(as_of)))


def _rebuild(text: bytes, name: str, path: str | None) -> Guideline:
    return Guideline._make(text, name, path)


def _as_guideline(guideline) -> Guideline:
    """A Guideline, or one loaded from a path."""
    if isinstance(guideline, Guideline):
        return guideline
    if isinstance(guideline, (str, bytes, _os.PathLike)):
        return Guideline.load(guideline)
    raise TypeError(f"guideline: expected a rubric.Guideline or a path, got {type(guideline).__name__}")
