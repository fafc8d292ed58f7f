#!/usr/bin/env python3
"""Agreement of the news corpus: first labels against the blind second
labeling, and the list of disagreements to adjudicate.

The second annotator labeled the sample in data/labeling/news/relabel*.csv
without seeing the first labels (or the selection). This prints raw
agreement, Cohen's kappa overall and one-vs-rest kappa per label, the
confusion of the disagreements, and writes them (cid, text, first, second)
for adjudication.

Usage: news_agreement.py FIRST_LABELS.csv[,..] SECOND_LABELS.csv[,..] CANDIDATES.csv[,..] DISAGREEMENTS_OUT.csv
"""
import csv, sys
from collections import Counter

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from agreement import LABELS, kappa  # noqa: E402  (the speech corpus's agreement script)


def read(files, key="label"):
    out = {}
    for p in files.split(","):
        for r in csv.DictReader(open(p, encoding="utf-8")):
            out[r["cid"]] = r[key]
    return out


def main(first_files, second_files, cand_files, out_path):
    first, second, text = read(first_files), read(second_files), read(cand_files, "text")
    cids = [c for c in second if c in first]
    pairs = [(first[c], second[c]) for c in cids]
    po, k = kappa(pairs, LABELS)
    print(f"sentences: {len(pairs)}  raw agreement: {po:.3f}  Cohen's kappa: {k:.3f}")
    print("| label | first annotator | second annotator | kappa (one vs rest) |")
    print("|---|---|---|---|")
    for l in LABELS:
        bp = [(a == l, b == l) for a, b in pairs]
        _, kl = kappa(bp, [True, False])
        print(f"| {l} | {sum(a for a, _ in bp)} | {sum(b for _, b in bp)} | {kl:.3f} |")
    print("\ndisagreements (first -> second):")
    for (a, b), n in Counter(p for p in pairs if p[0] != p[1]).most_common():
        print(f"  {a} -> {b}: {n}")
    with open(out_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["cid", "text", "label_a", "label_b"])
        for c in sorted(cids):
            if first[c] != second[c]:
                w.writerow([c, text[c], first[c], second[c]])


if __name__ == "__main__":
    main(*sys.argv[1:5])
