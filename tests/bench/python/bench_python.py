"""The Python module's speed against `rubric batch` on the same input, and Dask's scaling
(docs/performance.md, "Python and Dask"). Figures are ratios measured in the same run.

    PYTHONPATH=build/python /usr/bin/python3 tests/bench/python/bench_python.py BUILD RECORDS [REPEATS]

BUILD holds `rubric` and `tests/bench/rubric_bench_generate` (a release build). RECORDS
complete fact sets are generated into a temporary file; every timing is the best of REPEATS.
"""

import os
import pathlib
import subprocess
import sys
import tempfile
import time

import dask.bag
from dask.distributed import Client, LocalCluster

import rubric
import rubric.dask

ROOT = pathlib.Path(__file__).resolve().parents[3]
RULES = ROOT / "guidelines" / "vertebral-fracture-grade1" / "vertebral-fracture-grade1.rubric"
AS_OF = "2026-06-15"


def best(repeats, run):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    build = pathlib.Path(sys.argv[1])
    records = int(sys.argv[2])
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    work = pathlib.Path(tempfile.mkdtemp(prefix="rubric-bench-python-"))
    path = work / "facts.ndjson"
    with open(path, "wb") as out:
        subprocess.run([str(build / "tests/bench/rubric_bench_generate"), "facts", str(records)],
                       stdout=out, check=True)
    size = path.stat().st_size
    print(f"{records} records, {size / 1e6:.0f} MB, load {os.getloadavg()[0]:.2f}")
    guideline = rubric.Guideline.load(RULES)
    data = path.read_bytes()
    rows = []

    for threads in (1, 2):
        command = [str(build / "rubric"), "batch", str(RULES), str(path), "--compact", "--as-of", AS_OF,
                   "--threads", str(threads)]
        to_null = best(repeats, lambda: subprocess.run(command + ["-o", "/dev/null"], check=True,
                                                       stderr=subprocess.DEVNULL))
        to_file = best(repeats, lambda: subprocess.run(command + ["-o", str(work / "out.ndjson")],
                                                       check=True, stderr=subprocess.DEVNULL))
        python = best(repeats, lambda: guideline.evaluate_lines(data, compact=True, as_of=AS_OF,
                                                                threads=threads))
        rows.append((f"rubric batch --threads {threads} -o /dev/null", records / to_null, 1.0))
        rows.append((f"rubric batch --threads {threads} -o FILE", records / to_file, to_null / to_file))
        rows.append((f"evaluate_lines(threads={threads}), bytes in and out", records / python,
                     to_null / python))
    expected = subprocess.run([str(build / "rubric"), "batch", str(RULES), str(path), "--compact",
                               "--as-of", AS_OF], check=True, capture_output=True).stdout
    assert guideline.evaluate_lines(data, compact=True, as_of=AS_OF) == expected
    del data, expected

    base = records / rows[0][1]  # rubric batch, one thread, to /dev/null: the unit below
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster):
            def files():
                results = rubric.dask.evaluate_files(str(path), guideline, compact=True,
                                                     as_of=AS_OF, blocksize="32MiB")
                return results.map(len).sum().compute()

            def bag():
                lines = dask.bag.read_text(str(path), blocksize="32MiB")
                return rubric.dask.evaluate(lines, guideline, compact=True, as_of=AS_OF).count().compute()

            assert bag() == records
            for name, run in ((f"Dask, {workers} worker(s): rubric.dask.evaluate_files (blocks)", files),
                              (f"Dask, {workers} worker(s): rubric.dask.evaluate (a bag of lines)", bag)):
                seconds = best(repeats, run)
                rows.append((name, records / seconds, base / seconds))

    print("| run | records/s | ratio to `rubric batch -o /dev/null` (same threads; Dask: 1 thread) |")
    print("|---|---|---|")
    for name, rate, ratio in rows:
        print(f"| {name} | {rate / 1e6:.2f} M | {ratio:.2f} |")
    for file in work.iterdir():
        file.unlink()
    work.rmdir()


if __name__ == "__main__":
    main()
