"""Guideline.evaluate_lines: byte for byte what `rubric batch` writes, on input with bad lines,
blank lines, records, a byte order mark and no final line break; and from many threads."""

import json
import threading

import pytest
import yaml

from conftest import AS_OF, SEED, SEED_RULES, run_batch


def fact_lines():
    lines = []
    for path in sorted((SEED / "cases").glob("*.yaml")):
        case = yaml.safe_load(path.read_text())
        if "error" in case["expect"]:
            continue
        lines.append(json.dumps(case["facts"], default=str))
    return lines


def mixed_input():
    """Good fact sets with bad lines among them; the line numbers are noted where they matter."""
    good = fact_lines()
    bundle = json.dumps(json.loads((SEED / "records" / "age-birthday-today.bundle.json").read_text()))
    lines = ["\ufeff" + good[0]]                        # 1: a byte order mark, skipped
    lines += ["not json"]                               # 2: E0402
    lines += [""]                                       # 3: blank, no result
    lines += ['{"pain_vas": 12}']                       # 4: out of range
    lines += ['{"pain_vass": 3}']                       # 5: unknown fact
    lines += [bundle]                                   # 6: a FHIR record
    lines += ['{"resourceType": "Bundle", "type": 3}']  # 7: a bad record
    lines += [good[1] + "\r"]                           # 8: CRLF
    lines += good[2:] * 20
    lines += ['{"fracture_grade": 1']                   # truncated, last line, no line break
    return ("\n".join(lines)).encode()


@pytest.mark.parametrize("compact", [False, True])
@pytest.mark.parametrize("threads", [1, 3])
def test_same_bytes_as_batch(seed, rubric_binary, compact, threads):
    data = mixed_input()
    options = ["--as-of", AS_OF, "--threads", str(threads)] + (["--compact"] if compact else [])
    expected = run_batch(rubric_binary, SEED_RULES, data, *options)
    got = seed.evaluate_lines(data, compact=compact, as_of=AS_OF, threads=threads)
    assert got == expected
    results = got.decode().splitlines()
    records = len(data.decode("utf-8-sig").split("\n")) - 1  # one blank line
    assert len(results) == records
    errors = [json.loads(line) for line in results if '"error"' in line]
    assert [error["line"] for error in errors] == [2, 4, 5, 7, records + 1]
    assert errors[0]["code"] == "E0402"
    assert "`pain_vas`" in errors[1]["error"] and "`pain_vass`" in errors[2]["error"]


def test_first_line_numbers_a_part(seed, rubric_binary):
    good = fact_lines()[:5]
    data = ("\n".join(good + ["oops"]) + "\n").encode()
    part = seed.evaluate_lines(data, as_of=AS_OF, threads=1, first_line=101)
    lines = [json.loads(line) for line in part.decode().splitlines()]
    assert [line["line"] for line in lines] == [101, 102, 103, 104, 105, 106]
    assert "error" in lines[-1]


def test_empty_and_bad_arguments(seed):
    assert seed.evaluate_lines(b"") == b""
    assert seed.evaluate_lines(b"\n\n  \n") == b""
    with pytest.raises(ValueError, match="threads"):
        seed.evaluate_lines(b"{}", threads=0)
    with pytest.raises(ValueError, match="first_line"):
        seed.evaluate_lines(b"{}", first_line=0)
    with pytest.raises(TypeError):
        seed.evaluate_lines(12)
    assert seed.evaluate_lines(bytearray(b"{}\n"), as_of=AS_OF) == seed.evaluate_lines(
        memoryview(b"{}\n"), as_of=AS_OF)


def test_threads_share_one_guideline(seed):
    cases = [yaml.safe_load(path.read_text()) for path in sorted((SEED / "cases").glob("*.yaml"))]
    cases = [case for case in cases if "error" not in case["expect"]]
    serial = [seed.evaluate(case["facts"], as_of=AS_OF) for case in cases]
    data = mixed_input()
    serial_lines = seed.evaluate_lines(data, as_of=AS_OF, threads=2)
    failures = []

    def work(offset):
        try:
            for round_ in range(3):
                for index in range(len(cases)):
                    at = (index + offset + round_) % len(cases)
                    if seed.evaluate(cases[at]["facts"], as_of=AS_OF) != serial[at]:
                        failures.append(f"case {at} differs")
                if seed.evaluate_lines(data, as_of=AS_OF, threads=2) != serial_lines:
                    failures.append("lines differ")
        except Exception as error:  # reported below, with the thread's other failures
            failures.append(repr(error))

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
