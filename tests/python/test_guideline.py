"""rubric.Guideline: the seed guideline's case files and records through evaluate and
evaluate_record (expected results written by hand in the case files), compile errors, pickling,
bad input, explanations."""

import datetime
import pickle

import pytest
import yaml

import rubric
from conftest import AS_OF, ROOT, SEED, SEED_RULES

# The rule file's own case files, and the seed's public cases (../shared/seed/cases) when the
# checkout sits beside them, as in CI.
SHARED_CASES = ROOT.parent / "shared" / "seed" / "cases"
CASES = sorted((SEED / "cases").glob("*.yaml")) + sorted(SHARED_CASES.glob("*.yaml"))
RECORDS = sorted((SEED / "records").glob("*.yaml"))


# The seed's case "four-months-persistent-pain": ten recommendations, none undetermined.
FOUR_MONTHS = {
    "neurologic_deficit": False, "progressive_neurologic_deterioration": False,
    "spinal_instability": False, "cord_compression": False, "pain_refractory": False,
    "pulmonary_dysfunction": False, "analgesic_contraindication": False,
    "parenteral_narcotics_required": False, "symptoms_changed": False,
    "symptoms_persisting": True, "severe_initial_pain": False, "mri_t2_fluid_pattern": False,
    "severe_collapse": False, "fracture_grade": 1, "pain_vas": 5, "kyphosis_percent": 5,
    "height_loss_percent": 10, "time_since_identification": "4 months", "age": "72 years",
}
FOUR_MONTHS_RECOMMENDED = [
    "analgesics_as_needed", "augmentation_referral", "avoid_bed_rest", "bisphosphonate", "calcium",
    "early_mobilization", "imaging_persistent_symptoms", "opioid_caution", "opioid_fall_risk",
    "vitamin_d",
]


def outcome(result):
    """(recommended ids, {undetermined id: missing facts}) of an evaluate() result."""
    recommended = sorted(item["id"] for item in result["recommendations"])
    undetermined = {item["id"]: sorted(item["missing"]) for item in result["undetermined"]}
    return recommended, undetermined


def expected(expect):
    return (sorted(expect.get("recommendations") or []),
            {key: sorted(value) for key, value in (expect.get("undetermined") or {}).items()})


def test_there_are_cases_and_records():
    assert len(CASES) >= 100 and len(RECORDS) >= 90


@pytest.mark.parametrize("path", CASES, ids=lambda path: f"{path.parent.parent.name}/{path.stem}")
def test_case_file(seed, path):
    case = yaml.safe_load(path.read_text())
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(ValueError) as raised:
            seed.evaluate(case["facts"], as_of=AS_OF)
        assert f"`{expect['error']}`" in str(raised.value)
        return
    assert outcome(seed.evaluate(case["facts"], as_of=AS_OF)) == expected(expect)


@pytest.mark.parametrize("path", RECORDS, ids=lambda path: path.stem)
def test_record(seed, path):
    case = yaml.safe_load(path.read_text())
    bundle = (path.parent / case["record"]).read_text()
    as_of = case["as_of"]
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(ValueError) as raised:
            seed.evaluate_record(bundle, as_of=as_of)
        assert f"`{expect['error']}`" in str(raised.value)
        if expect.get("resource"):
            assert f"`{expect['resource']}`" in str(raised.value)
        return
    assert outcome(seed.evaluate_record(bundle, as_of=as_of)) == expected(expect)


def test_result_shape_is_the_command_lines(seed):
    result = seed.evaluate(FOUR_MONTHS, as_of=AS_OF)
    assert list(result) == ["guideline", "recommendations", "undetermined"]
    assert result["guideline"]["id"] == "vertebral-fracture-grade1"
    first = result["recommendations"][0]
    assert {"id", "kind", "text", "citations"} <= set(first)
    assert outcome(result) == (FOUR_MONTHS_RECOMMENDED, {})


def test_properties(seed):
    assert seed.id == "vertebral-fracture-grade1"
    assert seed.version == "1.0.0"
    assert seed.path == str(SEED_RULES)
    names = [fact["name"] for fact in seed.facts]
    assert "pain_vas" in names and "today" not in names and len(names) == 19
    pain = next(fact for fact in seed.facts if fact["name"] == "pain_vas")
    assert pain["type"] == "decimal" and pain["expected"] == "a decimal from 0 to 10"
    assert len(seed.recommendations) == 16
    assert seed.recommendations[0]["id"] == "urgent_surgical_consultation"


def test_compile_error_carries_every_diagnostic():
    text = 'guideline "g" version "1"\n\nfact a: boolean\nrecommend r: "x" when b\n'
    with pytest.raises(rubric.CompileError) as raised:
        rubric.Guideline.compile(text, name="bad.rubric")
    error = raised.value
    assert error.name == "bad.rubric"
    assert error.diagnostics, error
    first = error.diagnostics[0]
    assert first.severity == "error" and first.code.startswith("E")
    assert str(error).startswith("bad.rubric:")
    assert pickle.loads(pickle.dumps(error)).diagnostics == error.diagnostics


def test_syntax_error_position():
    # `x` is where the quoted id should be: line 1, column 11, counted by hand.
    with pytest.raises(rubric.CompileError) as raised:
        rubric.Guideline.compile("guideline x\n", name="g.rubric")
    first = raised.value.diagnostics[0]
    assert (first.code, first.line, first.column) == ("E0101", 1, 11)


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        rubric.Guideline.load(tmp_path / "missing.rubric")
    with pytest.raises(IsADirectoryError):
        rubric.Guideline.load(tmp_path)
    with pytest.raises(TypeError):
        rubric.Guideline()


def test_pickle_round_trip(seed):
    copy = pickle.loads(pickle.dumps(seed))
    assert (copy.id, copy.version, copy.path, copy.source) == (seed.id, seed.version, seed.path,
                                                               seed.source)
    facts = FOUR_MONTHS
    assert copy.evaluate(facts, as_of=AS_OF) == seed.evaluate(facts, as_of=AS_OF)
    compiled = rubric.Guideline.compile(seed.source, name="copy")
    again = pickle.loads(pickle.dumps(compiled))
    assert again.path is None and again.name == "copy"


def test_bad_facts_name_the_fact(seed):
    with pytest.raises(ValueError, match="`pain_vas`"):
        seed.evaluate({"pain_vas": "a lot"})
    with pytest.raises(ValueError, match="`pain_vass`"):
        seed.evaluate({"pain_vass": 3})
    with pytest.raises(ValueError, match="`pain_vas`"):
        seed.evaluate({"pain_vas": float("nan")})
    with pytest.raises(ValueError, match="`pain_vas`"):
        seed.evaluate({"pain_vas": [1, 2]})
    with pytest.raises(TypeError, match="`pain_vas`"):
        seed.evaluate({"pain_vas": object()})
    with pytest.raises(TypeError):
        seed.evaluate([("pain_vas", 3)])
    with pytest.raises(TypeError):
        seed.evaluate({3: True})


def test_as_of(seed):
    facts = {"fracture_grade": 1}
    assert seed.evaluate(facts, as_of=datetime.date(2026, 6, 15)) == seed.evaluate(facts, as_of=AS_OF)
    with pytest.raises(ValueError, match="as_of"):
        seed.evaluate(facts, as_of="2026-06")
    with pytest.raises(ValueError, match="as_of"):
        seed.evaluate(facts, as_of="15/06/2026")
    with pytest.raises(TypeError, match="as_of"):
        seed.evaluate(facts, as_of=datetime.datetime(2026, 6, 15, 10, 0))


def test_bad_records(seed):
    with pytest.raises(ValueError, match="E04"):
        seed.evaluate_record("{not json")
    with pytest.raises(ValueError):
        seed.evaluate_record({"resourceType": "Patient"})
    with pytest.raises(TypeError):
        seed.evaluate_record(42)


def test_explain(seed):
    facts = FOUR_MONTHS
    one = seed.explain(facts, id="augmentation_referral", as_of=AS_OF)
    assert [item["id"] for item in one["explanations"]] == ["augmentation_referral"]
    every = seed.explain(facts, as_of=AS_OF)
    assert len(every["explanations"]) == 16
    with pytest.raises(KeyError, match="augmentation_referal"):
        seed.explain(facts, id="augmentation_referal")
    bundle = (SEED / "records" / "age-birthday-today.bundle.json").read_text()
    import json
    from_record = seed.explain(json.loads(bundle), id="opioid_fall_risk", as_of=AS_OF)
    assert any(item["fact"] == "age" for item in from_record["sources"])
