"""Values crossing from Python and pandas into the engine: each accepted exactly when a fact
file writing it would be, with the outcomes written by hand (tests/python/types.rubric)."""

import datetime

import numpy
import pandas
import pytest

import rubric
import rubric.pandas
from conftest import AS_OF

TYPES = __import__("pathlib").Path(__file__).with_name("types.rubric")


@pytest.fixture(scope="module")
def types():
    return rubric.Guideline.load(TYPES)


def made(result):
    return sorted(item["id"] for item in result["recommendations"])


def test_floats_are_written_without_exponents(types):
    assert made(types.evaluate({"d": 19.9}, as_of=AS_OF)) == ["d_19_9"]
    assert made(types.evaluate({"d": 1234567.12345678}, as_of=AS_OF)) == ["d_exact"]
    assert made(types.evaluate({"d": 0.00005}, as_of=AS_OF)) == ["d_tiny"]
    with pytest.raises(ValueError, match="`d`.*8 digits"):
        types.evaluate({"d": 1 / 3}, as_of=AS_OF)
    assert made(types.evaluate({"n": numpy.int64(101), "b": numpy.bool_(True)}, as_of=AS_OF)) == [
        "b_true", "n_big"]


def test_dates_and_times(types):
    assert made(types.evaluate({"visit": datetime.date(2021, 1, 1)}, as_of=AS_OF)) == ["visit_2021"]
    paris = datetime.timezone(datetime.timedelta(hours=1))
    # 12:30 in Paris is 11:30 UTC: before noon UTC.
    assert made(types.evaluate({"moment": datetime.datetime(2020, 1, 1, 12, 30, tzinfo=paris)},
                               as_of=AS_OF)) == []
    utc = datetime.timezone.utc
    assert made(types.evaluate({"moment": datetime.datetime(2020, 1, 1, 12, 0, 0, 500000, tzinfo=utc)},
                               as_of=AS_OF)) == ["moment_after_noon"]


def test_text_that_is_not_unicode(types):
    with pytest.raises(ValueError):
        types.evaluate({"s": "\udcff"}, as_of=AS_OF)
    with pytest.raises(ValueError):
        types.evaluate_record(b'{"resourceType":"Bundle\xff"}', as_of=AS_OF)


def test_rule_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "bad.rubric"
    path.write_bytes(b"// \xff\n" + TYPES.read_bytes())
    with pytest.raises(rubric.CompileError) as raised:
        rubric.Guideline.load(path)
    assert raised.value.diagnostics[0].code == "E0105"


def test_strided_buffers(types):
    data = b'{"n": 101}\n' * 3
    assert types.evaluate_lines(memoryview(data)[::1], as_of=AS_OF) == types.evaluate_lines(data, as_of=AS_OF)
    backwards = memoryview(data)[::-1]
    assert types.evaluate_lines(backwards, as_of=AS_OF) == types.evaluate_lines(bytes(backwards), as_of=AS_OF)
    assert types.evaluate_lines(data, threads=numpy.int64(2), as_of=AS_OF) == types.evaluate_lines(
        data, threads=1, as_of=AS_OF)
    with pytest.raises(ValueError, match="first_line"):
        types.evaluate_lines(data, first_line=2**64 - 1)


def outcomes_by_evaluate(types, frame):
    """Row by row with evaluate (absent values left out): each outcome, or the error."""
    rows = []
    for _, row in frame.iterrows():
        facts = {key: (value.item() if hasattr(value, "item") else value)
                 for key, value in row.items() if not pandas.isna(value)}
        # pandas has no date type: a date fact's midnight timestamp is that date.
        facts = {key: ((value.date() if key == "visit" and value == value.normalize()
                        else value.to_pydatetime())
                       if isinstance(value, pandas.Timestamp) else value)
                 for key, value in facts.items()}
        try:
            result = types.evaluate(facts, as_of=AS_OF)
        except ValueError as error:
            rows.append(str(error))
            continue
        row_outcomes = {item["id"]: "not made" for item in types.recommendations}
        row_outcomes.update({item["id"]: "recommended" for item in result["recommendations"]})
        row_outcomes.update({item["id"]: "undetermined" for item in result["undetermined"]})
        rows.append(row_outcomes)
    return rows


def table_rows(types, result):
    ids = [item["id"] for item in types.recommendations]
    return [row["error"] if row["error"] is not None else {key: row[key] for key in ids}
            for _, row in result.iterrows()]


def test_frame_values_as_evaluate_reads_them(types):
    paris = "Europe/Paris"
    frame = pandas.DataFrame({
        "d": [19.9, 1234567.12345678, 0.00005, 98765432.9024, None, 1 / 3, 12.0],
        "n": pandas.array([101, None, 5, 200, 1, 2, 3], dtype="Int64"),
        "s": ["x", None, "y", "\udcff", "x", "x", ["x"]],
        "b": pandas.array([True, None, False, True, False, False, True], dtype="boolean"),
        "visit": pandas.to_datetime(["2021-01-01", None, "2021-01-01 10:00", "2021-01-02",
                                     "2021-01-01", "2021-01-01", "2021-01-01"]),
        "moment": pandas.to_datetime(["2020-01-01 12:30", "2020-01-01 13:30", None,
                                      "2020-01-01 12:00:00.5", "2020-01-01 13:00",
                                      "2020-01-01 11:00", "2020-01-01 11:00"]).tz_localize(paris),
    })
    result = rubric.pandas.evaluate_frame(frame, types, as_of=AS_OF)
    got = table_rows(types, result)
    # The same rows are rejected (the messages may differ: evaluate reads JSON text, the table
    # reads values), and the same outcomes given.
    rejected = lambda rows: [row if isinstance(row, dict) else "rejected" for row in rows]
    assert rejected(got) == rejected(outcomes_by_evaluate(types, frame))
    # By hand: row 0 has d 19.9, n 101, s x, b true, visit 2021-01-01, moment 11:30 UTC.
    assert [key for key, value in got[0].items() if value == "recommended"] == [
        "n_big", "d_19_9", "s_x", "b_true", "visit_2021"]
    assert got[1]["d_exact"] == "recommended" and got[1]["moment_after_noon"] == "recommended"
    assert isinstance(got[2], str) and "`visit`" in got[2]  # 10:00 is not a date
    assert isinstance(got[3], str)  # text that is not Unicode
    assert got[4]["s_x"] == "recommended" and got[4]["d_19_9"] == "undetermined"  # d absent
    assert isinstance(got[5], str) and "`d`" in got[5]  # 1/3 has more than 8 digits
    assert isinstance(got[6], str) and "`s`" in got[6]  # a list


def test_recommendation_named_error(tmp_path):
    text = TYPES.read_text().replace("recommendation n_big", "recommendation error")
    guideline = rubric.Guideline.compile(text)
    with pytest.raises(ValueError, match="`error`"):
        rubric.pandas.evaluate_frame(pandas.DataFrame({"n": [1]}), guideline, as_of=AS_OF)
