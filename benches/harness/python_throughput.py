"""Throughput of the Python package against the CLI on the same sentences.

    python benches/harness/python_throughput.py [--rounds 5] [--sentences 100000]

Run with the Python of an environment where the package is installed (e.g.
target/python-venv/bin/python after `cargo test --test python`), from the
repository root, with the release or dev `stance` binary in STANCE_BIN
(default target/release/stance). Both sides use the same build profile
only if you build them so: see BENCHMARKS.md for the commands used.

Input: the first N sentences of data/bench/ungdc-slice.jsonl.gz as `stance
score` splits them (one per line, in a file under target/bench/python/).
Measured, in interleaved rounds (CLI, then Python, alternately first):

- CLI: `stance score --quiet --format jsonl --sentences FILE > /dev/null`,
  wall time of the whole process (start, model load, reading, scoring,
  JSONL output);
- Python: a fresh interpreter per round that imports stance, loads the
  model and reads the file (outside the clock), then times
  `model.predict_proba(sentences)` (a NumPy array) and
  `model.predict(sentences)` (a list of labels), the package's batch APIs
  for pre-split sentences; `py_process` is the same process's wall time
  from its start to the end of predict_proba (interpreter start, import,
  model load, reading the file included), the analogue of the CLI's.

Every configuration runs with all cores and with RAYON_NUM_THREADS=1.
Then `documents`: `model.score_documents` on the slice's 3,288 speeches
(as dicts, read outside the clock; records as dicts) against `stance
score --format jsonl` on the file, all cores. Last, `gil`: a Python thread's loop rate while predict_proba runs, against
its rate alone (the GIL is released during scoring if it keeps running).
Prints one JSON object with every measurement and the medians.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

WORKER = r"""
import sys, time, json
t0 = time.perf_counter()
import numpy  # imported by predict_proba on first use; a NumPy user has it loaded
import stance
model = stance.load()
sentences = open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]
t1 = time.perf_counter()
p = model.predict_proba(sentences)
t2 = time.perf_counter()
labels = model.predict(sentences)
t3 = time.perf_counter()
assert p.shape == (len(sentences), 4) and len(labels) == len(sentences)
print(json.dumps({"setup_s": t1 - t0, "predict_proba_s": t2 - t1, "predict_s": t3 - t2,
                  "process_s": t3 - t0, "n": len(sentences)}))
"""


DOC_WORKER = r"""
import gzip, json, sys, time
import stance
model = stance.load()
docs = [json.loads(l) for l in gzip.open(sys.argv[1], "rt", encoding="utf-8")]
t0 = time.perf_counter()
records = model.score_documents(docs)
t1 = time.perf_counter()
print(json.dumps({"score_documents_s": t1 - t0, "records": len(records), "documents": len(docs)}))
"""

SLICE = "data/bench/ungdc-slice.jsonl.gz"


def documents_config(stance_bin: str, rounds: int) -> dict:
    """Whole documents: `score_documents` on the UN slice's speeches (read
    into dicts outside the clock) against `stance score --format jsonl` on
    the file (the whole process: reading the gzip JSONL included)."""
    cli_s, py = [], []
    for i in range(rounds):
        for which in (["cli", "py"] if i % 2 == 0 else ["py", "cli"]):
            if which == "cli":
                t = time.perf_counter()
                subprocess.run([stance_bin, "score", "--quiet", "--format", "jsonl", SLICE],
                               stdout=subprocess.DEVNULL, check=True)
                cli_s.append(time.perf_counter() - t)
            else:
                out = subprocess.run([sys.executable, "-c", DOC_WORKER, SLICE],
                                     capture_output=True, text=True, check=True)
                py.append(json.loads(out.stdout))
    n = py[0]["records"]
    med = statistics.median
    cli_rate = n / med(cli_s)
    py_rate = n / med(r["score_documents_s"] for r in py)
    return {"cli_s": cli_s, "python": py, "medians": {
        "sentences": n, "cli_score_sentences_per_s": cli_rate,
        "py_score_documents_per_s": py_rate, "ratio_to_cli": py_rate / cli_rate}}


def sentences_file(stance_bin: str, n: int, out_dir: Path) -> Path:
    """The first n sentences of the UN slice, as the CLI splits them."""
    path = out_dir / f"sentences-{n}.txt"
    if path.exists():
        return path
    out_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [stance_bin, "score", "--quiet", "--format", "jsonl", "data/bench/ungdc-slice.jsonl.gz"],
        stdout=subprocess.PIPE,
        text=True,
    )
    lines = []
    for line in proc.stdout:
        # One sentence per line: a sentence never spans lines here.
        lines.append(" ".join(json.loads(line)["text"].split()))
        if len(lines) == n:
            break
    proc.kill()
    proc.wait()
    assert len(lines) == n, f"only {len(lines)} sentences in the slice"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_cli(stance_bin: str, path: Path, env: dict) -> float:
    t = time.perf_counter()
    subprocess.run(
        [stance_bin, "score", "--quiet", "--format", "jsonl", "--sentences", str(path)],
        stdout=subprocess.DEVNULL,
        check=True,
        env=env,
    )
    return time.perf_counter() - t


def run_python(path: Path, env: dict) -> dict:
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", WORKER, str(path)], capture_output=True, text=True, check=True, env=env
    )
    r = json.loads(out.stdout)
    r["wall_s"] = time.perf_counter() - t
    return r


def gil_check(path: Path) -> dict:
    """Whether other Python threads run while a batch is scored: a thread
    counts in a loop; its count per second during `predict_proba` against
    its count per second alone (near 0 if the call held the GIL)."""
    import threading

    import stance

    model = stance.load()
    sentences = path.read_text(encoding="utf-8").split("\n")[:-1]
    model.predict(sentences[:1000])  # the thread pool is started
    stop = False
    count = 0

    def spin() -> None:
        nonlocal count
        while not stop:
            count += 1

    def rate_during(f) -> float:
        nonlocal stop, count
        stop, count = False, 0
        t = threading.Thread(target=spin)
        t0 = time.perf_counter()
        t.start()
        f()
        stop = True
        t.join()
        return count / (time.perf_counter() - t0)

    alone = rate_during(lambda: time.sleep(0.3))
    during = rate_during(lambda: model.predict_proba(sentences))
    return {"spins_per_s_alone": alone, "spins_per_s_during_predict_proba": during,
            "ratio": during / alone}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sentences", type=int, default=100_000)
    ap.add_argument("--out", default="target/bench/python")
    args = ap.parse_args()
    stance_bin = os.environ.get("STANCE_BIN", "target/release/stance")
    path = sentences_file(stance_bin, args.sentences, Path(args.out))
    n = args.sentences
    results = {"sentences": n, "cores": os.cpu_count(), "stance_bin": stance_bin, "configs": {}}
    for threads in ["all", "1"]:
        env = dict(os.environ)
        env.pop("RAYON_NUM_THREADS", None)
        if threads == "1":
            env["RAYON_NUM_THREADS"] = "1"
        cli_s, py = [], []
        for i in range(args.rounds):
            if i % 2 == 0:
                cli_s.append(run_cli(stance_bin, path, env))
                py.append(run_python(path, env))
            else:
                py.append(run_python(path, env))
                cli_s.append(run_cli(stance_bin, path, env))
        med = statistics.median
        cli_rate = n / med(cli_s)
        rates = {
            "cli_score_sentences_per_s": cli_rate,
            "py_predict_proba_per_s": n / med(r["predict_proba_s"] for r in py),
            "py_predict_per_s": n / med(r["predict_s"] for r in py),
            "py_process_predict_proba_per_s": n
            / med(r["wall_s"] - r["predict_s"] for r in py),
        }
        rates["ratio_predict_proba_to_cli"] = rates["py_predict_proba_per_s"] / cli_rate
        rates["ratio_predict_to_cli"] = rates["py_predict_per_s"] / cli_rate
        rates["ratio_process_to_cli"] = rates["py_process_predict_proba_per_s"] / cli_rate
        results["configs"][threads] = {"cli_s": cli_s, "python": py, "medians": rates}
    results["documents"] = documents_config(stance_bin, args.rounds)
    results["gil"] = gil_check(path)
    json.dump(results, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
