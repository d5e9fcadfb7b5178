"""rubric.pandas and rubric.dask: the same outcomes as Guideline.evaluate, row by row, and the
Dask bag the same bytes as `rubric batch`, on a two-worker LocalCluster on loopback."""

import json

import dask.bag
import dask.dataframe
import pandas
import pytest
import yaml

import rubric
import rubric.dask
import rubric.pandas
from conftest import AS_OF, SEED, SEED_RULES, run_batch
from test_lines import mixed_input


def case_facts():
    """The case files' fact sets (bad values included) whose names are all facts: a table has
    one column per fact."""
    names = {fact["name"] for fact in rubric.Guideline.load(SEED_RULES).facts}
    rows = []
    for path in sorted((SEED / "cases").glob("*.yaml")):
        case = yaml.safe_load(path.read_text())
        if set(case["facts"]) <= names:
            rows.append(case["facts"])
    return rows


def expected_outcomes(seed, rows):
    """Each row's outcome per recommendation, from evaluate() (itself checked against the case
    files), or the error for a rejected row."""
    table = []
    for facts in rows:
        try:
            result = seed.evaluate({k: v for k, v in facts.items() if not pandas.isna(v)}, as_of=AS_OF)
        except ValueError as error:
            table.append(str(error))
            continue
        row = {item["id"]: "not made" for item in seed.recommendations}
        row.update({item["id"]: "recommended" for item in result["recommendations"]})
        row.update({item["id"]: "undetermined" for item in result["undetermined"]})
        table.append(row)
    return table


def frame_rows(result, recommendations):
    rows = []
    for _, row in result.iterrows():
        if row["error"] is not None:
            rows.append(row["error"])
        else:
            rows.append({key: row[key] for key in recommendations})
    return rows


def test_pandas_frame_matches_evaluate(seed):
    rows = case_facts()
    frame = pandas.DataFrame(rows, index=[f"patient-{n}" for n in range(len(rows))])
    result = rubric.pandas.evaluate_frame(frame, seed, as_of=AS_OF)
    recommendations = [item["id"] for item in seed.recommendations]
    assert list(result.columns) == recommendations + ["error"]
    assert list(result.index) == list(frame.index)
    assert all(result[key].dtype == rubric.pandas.OUTCOME_TYPE for key in recommendations)
    assert frame_rows(result, recommendations) == expected_outcomes(seed, rows)
    assert result["error"].notna().sum() >= 5  # the cases with bad values


def test_pandas_types_and_columns(seed):
    frame = pandas.DataFrame({
        "fracture_grade": [1.0, None, 2.0],  # float because of the missing value
        "pain_vas": [6.5, 3, None],
        "patient": ["a", "b", "c"],
    })
    with pytest.raises(ValueError, match="`patient`"):
        rubric.pandas.evaluate_frame(frame, seed, as_of=AS_OF)
    result = rubric.pandas.evaluate_frame(frame, seed, as_of=AS_OF, ignore=["patient"])
    assert result["error"].isna().all()
    assert rubric.pandas.evaluate_frame(frame.iloc[:0], seed, ignore=["patient"]).empty


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
    with distributed.Client(cluster) as connected:
        yield connected
    cluster.close()


def test_dask_bag_same_bytes_as_batch(client, seed, rubric_binary, tmp_path):
    data = mixed_input() + b"\n"
    path = tmp_path / "population.ndjson"
    path.write_bytes(data * 3)
    bag = dask.bag.read_text(str(path), blocksize=20_000)
    assert bag.npartitions > 2
    expected = run_batch(rubric_binary, SEED_RULES, data * 3, "--as-of", AS_OF)
    for guideline in (seed, str(SEED_RULES)):
        results = rubric.dask.evaluate(bag, guideline, as_of=AS_OF)
        assert ("\n".join(results.compute()) + "\n").encode() == expected
    compact = rubric.dask.evaluate(bag, seed, compact=True, as_of=AS_OF)
    assert ("\n".join(compact.compute()) + "\n").encode() == run_batch(
        rubric_binary, SEED_RULES, data * 3, "--as-of", AS_OF, "--compact")
    out = tmp_path / "out"
    compact.to_textfiles(str(out / "*.ndjson"), last_endline=True)
    written = b"".join(path.read_bytes() for path in sorted(out.glob("*.ndjson"),
                                                             key=lambda p: int(p.stem)))
    assert written == run_batch(rubric_binary, SEED_RULES, data * 3, "--as-of", AS_OF, "--compact")


def test_dask_bag_result_with_a_line_separator(client, seed, rubric_binary):
    # U+2028 inside a value is not a line break: one input line, one result.
    line = '{"time_since_identification": "x\u2028y"}\n'
    bag = dask.bag.from_sequence([line, line], npartitions=2)
    results = rubric.dask.evaluate(bag, seed, as_of=AS_OF).compute()
    assert len(results) == 2
    assert ("\n".join(results) + "\n").encode() == run_batch(
        rubric_binary, SEED_RULES, (line * 2).encode(), "--as-of", AS_OF)


def test_dask_files_same_bytes_as_batch(client, seed, rubric_binary, tmp_path):
    data = mixed_input()  # its last line has no line break
    first, second = tmp_path / "a.ndjson", tmp_path / "b.ndjson"
    first.write_bytes(data)
    second.write_bytes(data[data.index(b"\n") + 1:] + b"\n")  # no byte order mark
    joined = data + b"\n" + second.read_bytes()
    expected = run_batch(rubric_binary, SEED_RULES, joined, "--as-of", AS_OF)
    results = rubric.dask.evaluate_files(str(tmp_path / "*.ndjson"), seed, as_of=AS_OF,
                                         blocksize=20_000)
    assert results.npartitions > 4
    assert "".join(results.compute()).encode() == expected
    compact = rubric.dask.evaluate_files([str(first), str(second)], seed, compact=True,
                                         as_of=AS_OF, blocksize=7_000)
    assert "".join(compact.compute()).encode() == run_batch(
        rubric_binary, SEED_RULES, joined, "--as-of", AS_OF, "--compact")
    out = tmp_path / "out"
    results.to_textfiles(str(out / "*.ndjson"))
    written = b"".join(path.read_bytes() for path in sorted(out.glob("*.ndjson"),
                                                             key=lambda p: int(p.stem)))
    assert written == expected


def test_dask_frame_matches_pandas(client, seed):
    rows = case_facts() * 4
    frame = pandas.DataFrame(rows)
    serial = rubric.pandas.evaluate_frame(frame, seed, as_of=AS_OF)
    distributed_frame = dask.dataframe.from_pandas(frame, npartitions=5)
    result = rubric.dask.evaluate_frame(distributed_frame, seed, as_of=AS_OF).compute()
    pandas.testing.assert_frame_equal(result, serial)
