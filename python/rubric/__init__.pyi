# Type stubs of the rubric package (docs/python.md).
import datetime
import os
from typing import Any, Mapping, Sequence

OUTCOMES: tuple[str, str, str]

class Diagnostic:
    code: str
    severity: str
    line: int
    column: int
    message: str
    def __init__(self, code: str, severity: str, line: int, column: int, message: str) -> None: ...

class CompileError(Exception):
    name: str
    diagnostics: list[Diagnostic]
    formatted: str
    def __init__(self, name: str, diagnostics: list[Diagnostic], formatted: str) -> None: ...

_Date = datetime.date | str | None
_Facts = Mapping[str, Any]

class Guideline:
    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Guideline: ...
    @classmethod
    def compile(cls, text: str | bytes, name: str = ...) -> Guideline: ...
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def path(self) -> str | None: ...
    @property
    def name(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def diagnostics(self) -> list[Diagnostic]: ...
    @property
    def facts(self) -> list[dict[str, Any]]: ...
    @property
    def recommendations(self) -> list[dict[str, Any]]: ...
    def evaluate(self, facts: _Facts, as_of: _Date = ...) -> dict[str, Any]: ...
    def evaluate_record(self, bundle: Mapping[str, Any] | str | bytes, as_of: _Date = ...) -> dict[str, Any]: ...
    def evaluate_lines(
        self,
        data: bytes | bytearray | memoryview | str,
        compact: bool = ...,
        as_of: _Date = ...,
        threads: int | None = ...,
        first_line: int = ...,
    ) -> bytes: ...
    def explain(self, facts: _Facts, id: str | Sequence[str] | None = ..., as_of: _Date = ...) -> dict[str, Any]: ...
