#!/usr/bin/env python3
"""Cut the news candidates into annotation batches and draw the blind
re-label sample.

Batches: documents are shuffled (random.Random(7)) and dealt into batches of
about 660 sentences; a document's sentences stay together and in reading
order. A batch file holds only `cid,text`: no stratum, no source, no model
output.

Re-label sample (agreement): 800 sentences drawn with the help of the
speech-trained model shipped before the news corpus (selection may use a
model; labels may not): 260 it calls deterrence, 220 escalation-warning,
160 diplomacy, 160 neutral, at random within each, so that each framed
label is likely to reach 60 in the sample although news is mostly neutral.
The file is shuffled and holds only `cid,text`; its annotator never sees
the first labels.

Usage: news_batches.py STANCE_BIN CANDIDATES.csv OUT_DIR
"""
import csv, json, random, subprocess, sys, tempfile
from collections import defaultdict


def main(stance, cand_path, out):
    rows = list(csv.DictReader(open(cand_path, encoding="utf-8")))
    by_doc = defaultdict(list)
    for r in rows:
        by_doc[r["doc"]].append(r)
    for d in by_doc:
        by_doc[d].sort(key=lambda r: (int(r["turn"] or 0), int(r["sentence"])))
    docs = sorted(by_doc)
    random.Random(7).shuffle(docs)
    batches, cur = [], []
    for d in docs:
        cur.extend(by_doc[d])
        if len(cur) >= 660:
            batches.append(cur)
            cur = []
    if cur:
        batches.append(cur)
    for i, b in enumerate(batches):
        with open(f"{out}/batch-{i:02d}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["cid", "text"])
            w.writerows([r["cid"], r["text"]] for r in b)
    print(len(batches), "batches", [len(b) for b in batches], file=sys.stderr)

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        for r in rows:
            f.write(r["text"].replace("\n", " ") + "\n")
        tmp = f.name
    out_lines = subprocess.run([stance, "score", "--sentences", tmp, "--format", "jsonl", "-q"],
                               check=True, capture_output=True, text=True).stdout.splitlines()
    assert len(out_lines) == len(rows), (len(out_lines), len(rows))
    pred = defaultdict(list)
    for r, line in zip(rows, out_lines):
        pred[json.loads(line)["label"]].append(r)
    rng = random.Random(600)
    sample = []
    for label, n in [("deterrence", 260), ("escalation-warning", 220), ("diplomacy", 160), ("neutral", 160)]:
        pool = sorted(pred[label], key=lambda r: r["cid"])
        sample += rng.sample(pool, min(n, len(pool)))
    rng.shuffle(sample)
    with open(f"{out}/relabel.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["cid", "text"])
        w.writerows([r["cid"], r["text"]] for r in sample)
    print("relabel", len(sample), {k: len(v) for k, v in pred.items()}, file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:4])
