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

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from agreement import print_agreement  # noqa: E402  (the speech corpus's agreement script)


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
    print_agreement(pairs)
    with open(out_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["cid", "text", "label_a", "label_b"])
        for c in sorted(cids):
            if first[c] != second[c]:
                w.writerow([c, text[c], first[c], second[c]])


if __name__ == "__main__":
    main(*sys.argv[1:5])
