#!/usr/bin/env python3
"""Model selection on the news dev split: every setting the shipped model
uses is chosen here, by measurement, never on a test split.

Each configuration is one real `stance train` run (release build) on the
given training CSVs, then `stance eval` on the dev CSV (all rows) and on its
whole articles (`--where selection=wire-whole`, for the per-article
escalation-ratio error). Prints a Markdown table and writes the raw JSON
lines to OUT.

  sweep.py STANCE_BIN OUT.jsonl --dev data/news-dev.csv -- CONFIG...

A CONFIG is `name:files=a.csv+b.csv:args=--alpha 1 --features 4000`.
"""
import json
import subprocess
import sys
import tempfile
import time


def run(stance, files, args, dev):
    with tempfile.TemporaryDirectory() as d:
        model = f"{d}/m.model"
        t0 = time.perf_counter()
        subprocess.run([stance, "train", *files, "--holdout", "0", "-o", model, *args], check=True,
                       capture_output=True, text=True)
        train_s = time.perf_counter() - t0
        ev = lambda *extra: json.loads(subprocess.run(  # noqa: E731
            [stance, "eval", dev, "--model", model, "--format", "json", *extra], check=True,
            capture_output=True, text=True).stdout)
        return train_s, ev(), ev("--where", "selection=wire-whole")


def main():
    stance, out = sys.argv[1], sys.argv[2]
    i = sys.argv.index("--dev")
    dev = sys.argv[i + 1]
    configs = sys.argv[sys.argv.index("--") + 1:]
    print("| config | dev macro-F1 | F1 det | F1 esc | F1 dip | F1 neu | esc share true/pred | max share gap | article esc MAE | train s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with open(out, "a") as log:
        for c in configs:
            parts = dict(p.split("=", 1) for p in c.split(":")[1:])
            name = c.split(":")[0]
            files = parts["files"].split("+")
            args = parts.get("args", "").split()
            train_s, m, w = run(stance, files, args, dev)
            f1 = {p["label"]: p["f1"] for p in m["per_class"]}
            gap = max(abs(s["true"] - s["predicted"]) for s in m["shares"].values())
            esc = m["shares"]["escalation-warning"]
            mae = w["documents"]["escalation_ratio_mae"]
            print(f"| {name} | {m['macro_f1']:.3f} | {f1['deterrence']:.3f} | {f1['escalation-warning']:.3f} | "
                  f"{f1['diplomacy']:.3f} | {f1['neutral']:.3f} | {100*esc['true']:.1f}/{100*esc['predicted']:.1f} | "
                  f"{100*gap:.1f} | {mae:.3f} | {train_s:.0f} |", flush=True)
            log.write(json.dumps({"name": name, "files": files, "args": args, "train_s": train_s,
                                  "dev": m, "dev_whole": w}) + "\n")


if __name__ == "__main__":
    main()
