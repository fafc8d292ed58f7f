#!/usr/bin/env python3
"""Assemble the labeled corpus from candidate files and label files.

Inputs: candidate CSVs (cid, stratum, source, doc, year, text) written by the
select_*.py scripts, and label CSVs (cid, label) written by the annotators.
Output: data/stance-train.csv and data/stance-test.csv with columns
id, text, label, source, doc, year, selection.

The split is by document: every sentence of a speech is on the same side,
so the test set measures generalisation to unseen speeches. A document is
in the test set when the first 8 hex digits of sha256(doc id) mod 5 == 0.

Usage: assemble.py OUT_DIR CANDIDATES.csv[,...] LABELS.csv[,...]
"""
import csv, hashlib, sys
from collections import Counter

LABELS = {"deterrence", "escalation-warning", "diplomacy", "neutral"}

def main(out_dir, cand_files, label_files):
    cands = {}
    for p in cand_files.split(","):
        for r in csv.DictReader(open(p, encoding="utf-8")):
            cands[r["cid"]] = r
    labels = {}
    for p in label_files.split(","):
        for r in csv.DictReader(open(p, encoding="utf-8")):
            lab = r["label"].strip()
            assert lab in LABELS, (p, r)
            assert r["cid"] in cands, (p, r["cid"])
            labels[r["cid"]] = lab
    seen = set()
    rows = {"train": [], "test": []}
    dups = 0
    for cid in sorted(labels):
        c = cands[cid]
        text = " ".join(c["text"].split())
        if text in seen:
            dups += 1
            continue
        seen.add(text)
        side = "test" if int(hashlib.sha256(c["doc"].encode()).hexdigest()[:8], 16) % 5 == 0 else "train"
        rows[side].append({"id": cid, "text": text, "label": labels[cid], "source": c["source"],
                           "doc": c["doc"], "year": c["year"], "selection": c["stratum"]})
    for side, rs in rows.items():
        with open(f"{out_dir}/stance-{side}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=["id", "text", "label", "source", "doc", "year", "selection"])
            w.writeheader()
            w.writerows(rs)
        print(side, len(rs), dict(Counter(r["label"] for r in rs)), file=sys.stderr)
    print("duplicates removed:", dups, file=sys.stderr)
    allr = rows["train"] + rows["test"]
    print("max per doc:", max(Counter(r["doc"] for r in allr).values()), file=sys.stderr)

if __name__ == "__main__":
    main(*sys.argv[1:4])
