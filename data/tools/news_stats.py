#!/usr/bin/env python3
"""Counts of the news corpus for the datasheet (data/README.md).

Usage: news_stats.py data/news-train.csv data/news-dev.csv data/news-test.csv
"""
import csv, sys
from collections import Counter

LABELS = ["deterrence", "escalation-warning", "diplomacy", "neutral"]


def table(title, rows, key):
    print(f"\n{title}\n")
    print("| " + " | ".join(["", *LABELS, "total"]) + " |")
    print("|" + "---|" * (len(LABELS) + 2))
    groups = sorted({key(r) for r in rows})
    for g in groups + ["all"]:
        sel = rows if g == "all" else [r for r in rows if key(r) == g]
        c = Counter(r["label"] for r in sel)
        print(f"| {g} | " + " | ".join(str(c[l]) for l in LABELS) + f" | {len(sel)} |")


def main(paths):
    rows = []
    for p in paths:
        split = p.rsplit("-", 1)[1].removesuffix(".csv")
        for r in csv.DictReader(open(p, encoding="utf-8")):
            r["split"] = split
            rows.append(r)
    table("By split", rows, lambda r: r["split"])
    table("By selection stratum", rows, lambda r: r["selection"])
    table("By source", rows, lambda r: r["source"])
    print("\n| split | documents | whole articles | sentences in whole articles |")
    print("|---|---|---|---|")
    for s in ("train", "dev", "test"):
        sel = [r for r in rows if r["split"] == s]
        whole = [r for r in sel if r["selection"] == "wire-whole"]
        print(f"| {s} | {len({r['doc'] for r in sel})} | {len({r['doc'] for r in whole})} | {len(whole)} |")
    wire = [r for r in rows if r["doc"].startswith("wire2016-")]
    wh = [r for r in rows if r["doc"].startswith("wh-")]
    print(f"\nwire2016: {len(wire)} sentences from {len({r['doc'] for r in wire})} articles; "
          f"whitehouse: {len(wh)} sentences from {len({r['doc'] for r in wh})} documents")


if __name__ == "__main__":
    main(sys.argv[1:])
