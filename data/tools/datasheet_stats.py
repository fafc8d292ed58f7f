#!/usr/bin/env python3
"""Print the datasheet's count tables (markdown) for the labeled corpus.

Usage: datasheet_stats.py data/stance-train.csv data/stance-test.csv
"""
import csv, re, sys
from collections import Counter, defaultdict

LABELS = ["deterrence", "escalation-warning", "diplomacy", "neutral"]

def table(title, groups):
    print(f"\n{title}\n")
    print("| | " + " | ".join(LABELS) + " | total |")
    print("|---" * (len(LABELS) + 2) + "|")
    for k in sorted(groups):
        c = groups[k]
        print(f"| {k} | " + " | ".join(str(c[l]) for l in LABELS) + f" | {sum(c.values())} |")

def main(train, test):
    rows = {"train": list(csv.DictReader(open(train, encoding="utf-8"))),
            "test": list(csv.DictReader(open(test, encoding="utf-8")))}
    allr = rows["train"] + rows["test"]
    by = lambda f: {k: Counter(r["label"] for r in allr if f(r) == k) for k in {f(r) for r in allr}}
    table("By split", {k: Counter(r["label"] for r in v) for k, v in rows.items()} | {"all": Counter(r["label"] for r in allr)})
    table("By source", by(lambda r: r["source"]))
    table("By decade", by(lambda r: f"{int(r['year']) // 10 * 10}s"))
    table("By selection stratum", by(lambda r: r["selection"]))
    docs = Counter(r["doc"] for r in allr)
    countries = {r["doc"].split("-")[1] for r in allr if r["source"] == "ungdc"}
    print(f"\ndocuments: {len(docs)}, UN member states: {len(countries)}, max sentences from one document: {max(docs.values())}")
    rnd = sum(r["selection"] == "random" for r in allr)
    print(f"plain random sample: {rnd} of {len(allr)} = {100 * rnd / len(allr):.1f}%")
    # The keyword shortcut the corpus is built to defeat.
    for stem, label in (("deter(?!m|io)", "deterrence"), ("escalat", "escalation-warning"), ("negotiat", "diplomacy"), ("war", None)):
        hits = [r for r in allr if re.search(r"\b" + stem, r["text"], re.I)]
        stem = stem.split("(")[0]
        if label:
            prec = sum(r["label"] == label for r in hits) / max(1, len(hits))
            print(f"sentences containing '{stem}*': {len(hits)}, of which {label}: {100 * prec:.0f}%")
        else:
            c = Counter(r["label"] for r in hits)
            print(f"sentences containing 'war*': {len(hits)}: " + ", ".join(f"{l} {c[l]}" for l in LABELS))

if __name__ == "__main__":
    main(*sys.argv[1:3])
