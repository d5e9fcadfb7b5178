"""How many patients would a new VAS threshold move? (docs/python.md)

Evaluates a synthetic population with the seed guideline as written (`severe_pain_vas = 3.5`)
and with the threshold raised to 4.5, and counts the patients whose augmentation referral
changes: `rubric diff`'s question, asked of a population instead of all possible patients.

    PYTHONPATH=build/python /usr/bin/python3 docs/examples/python/vas_threshold.py [PATIENTS] [--dask]
"""

import pathlib
import sys

import numpy
import pandas

import rubric
import rubric.dask
import rubric.pandas

ROOT = pathlib.Path(__file__).resolve().parents[3]
RULES = ROOT / "guidelines" / "vertebral-fracture-grade1" / "vertebral-fracture-grade1.rubric"


def population(patients: int, seed: int = 2026) -> pandas.DataFrame:
    """Grade 1 fractures, no red flags, 0 to 40 weeks after identification, pain 0 to 10."""
    rng = numpy.random.default_rng(seed)
    flags = ["neurologic_deficit", "progressive_neurologic_deterioration", "spinal_instability",
             "cord_compression", "pulmonary_dysfunction", "analgesic_contraindication",
             "parenteral_narcotics_required", "symptoms_changed", "severe_initial_pain",
             "mri_t2_fluid_pattern", "severe_collapse"]
    frame = pandas.DataFrame({flag: False for flag in flags}, index=range(patients))
    frame["fracture_grade"] = 1
    frame["pain_vas"] = rng.integers(0, 101, patients) / 10  # 0.0 to 10.0 in steps of 0.1
    frame["pain_refractory"] = rng.random(patients) < 0.3
    frame["symptoms_persisting"] = rng.random(patients) < 0.6
    frame["kyphosis_percent"] = rng.integers(0, 40, patients)
    frame["height_loss_percent"] = rng.integers(0, 60, patients)
    weeks = rng.integers(0, 41, patients)
    frame["time_since_identification"] = [f"{week} weeks" for week in weeks]
    frame["age"] = [f"{years} years" for years in rng.integers(50, 95, patients)]
    return frame


def main() -> None:
    patients = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 100_000
    text = RULES.read_text()
    old_line = 'parameter severe_pain_vas = 3.5 "pain at or above this VAS is severe"'
    assert old_line in text
    current = rubric.Guideline.compile(text, name="current.rubric")
    proposed = rubric.Guideline.compile(text.replace(old_line, old_line.replace("3.5", "4.5")),
                                        name="proposed.rubric")
    frame = population(patients)
    if "--dask" in sys.argv:
        import dask.dataframe
        from dask.distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster):
            parts = dask.dataframe.from_pandas(frame, npartitions=8)
            before = rubric.dask.evaluate_frame(parts, current, as_of="2026-06-15").compute()
            after = rubric.dask.evaluate_frame(parts, proposed, as_of="2026-06-15").compute()
    else:
        before = rubric.pandas.evaluate_frame(frame, current, as_of="2026-06-15")
        after = rubric.pandas.evaluate_frame(frame, proposed, as_of="2026-06-15")
    assert before["error"].isna().all() and after["error"].isna().all()

    column = "augmentation_referral"
    moved = before[column] != after[column]
    print(f"{patients} patients; {int(moved.sum())} change their {column}:")
    print(pandas.crosstab(before[column][moved], after[column][moved],
                          rownames=["3.5"], colnames=["4.5"]).to_string())
    # Only pain from 3.5 up to (not including) 4.5 can move: the threshold is the only change.
    pain = frame["pain_vas"][moved]
    print(f"their pain: {pain.min()} to {pain.max()}")
    assert pain.between(3.5, 4.4).all()
    others = [c for c in before.columns if c not in (column, "error")]
    assert (before[others] == after[others]).all().all(), "only the referral may change"


if __name__ == "__main__":
    main()
