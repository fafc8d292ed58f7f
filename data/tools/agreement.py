#!/usr/bin/env python3
"""Agreement between the corpus labels and the independent re-labeling.

data/labeling/relabel-kappa.csv holds (cid, label) for a random sample of
360 first-round sentences, labeled a second time by a different annotator
who did not see the first labels. This prints raw agreement, Cohen's kappa
overall, and one-vs-rest kappa per label.

Usage: agreement.py data/stance-train.csv,data/stance-test.csv data/labeling/relabel-kappa.csv
"""
import csv, sys
from collections import Counter

LABELS = ["deterrence", "escalation-warning", "diplomacy", "neutral"]

def kappa(pairs, labels):
    n = len(pairs)
    po = sum(a == b for a, b in pairs) / n
    ca, cb = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    pe = sum(ca[l] * cb[l] for l in labels) / (n * n)
    return po, (po - pe) / (1 - pe)

def main(corpus_files, relabel):
    first = {}
    for p in corpus_files.split(","):
        for r in csv.DictReader(open(p, encoding="utf-8")):
            first[r["id"]] = r["label"]
    second = {r["cid"]: r["label"] for r in csv.DictReader(open(relabel, encoding="utf-8"))}
    pairs = [(first[c], second[c]) for c in second if c in first]
    print_agreement(pairs)

def print_agreement(pairs):
    """Raw agreement, Cohen's kappa overall and one-vs-rest per label, and
    the disagreements, for (first, second) label pairs."""
    po, k = kappa(pairs, LABELS)
    print(f"sentences: {len(pairs)}  raw agreement: {po:.3f}  Cohen's kappa: {k:.3f}")
    print("| label | first annotator | second annotator | kappa (one vs rest) |")
    print("|---|---|---|---|")
    for l in LABELS:
        bp = [(a == l, b == l) for a, b in pairs]
        _, kl = kappa(bp, [True, False])
        print(f"| {l} | {sum(a for a, _ in bp)} | {sum(b for _, b in bp)} | {kl:.3f} |")
    print("\ndisagreements (first -> second):")
    for (a, b), n in Counter((a, b) for a, b in pairs if a != b).most_common():
        print(f"  {a} -> {b}: {n}")

if __name__ == "__main__":
    main(*sys.argv[1:3])
