#!/usr/bin/env python3
"""Assemble the news corpus: data/news-{train,dev,test}.csv.

Inputs: the candidate files (news_select.py, news_enrich.py), the
annotators' label files (cid,label), and the adjudication file of the
agreement sample (cid,first,second,final,reason): where a sentence was
labeled twice and the labels differ, the adjudicated label is used.

Sentences already in the speech corpus, or already taken by an earlier
round, are dropped. Rows that `stance` now leaves out as page furniture (the splitter learned
the wire credit lines after the candidates were cut) are dropped, so the
corpus holds exactly what `stance` scores; they are counted.

Split, by document (never by sentence), from sha256(doc id):
  * whole security articles (selection wire-whole): ranked by hash; the
    first 85 go to test, the next 60 to dev, the rest to train;
  * sampled documents (wire-plain, wh-sec, wh-rand): hash mod 20 in 0-3
    test, 4-6 dev, else train;
  * enrichment documents (wire-enrich, wh-enrich, *-enrich-esc): train only (they were
    drawn with a model's help toward framed sentences, so they would
    distort the label shares of an evaluation split).

Usage: news_assemble.py STANCE_BIN OUT_DIR CANDIDATES.csv[.gz][,..] LABELS.csv[,..] ADJUDICATION.csv

As run for data/ (first-round label files only; the relabel files feed the
agreement figures and, through the adjudication, the final labels):
  python3 data/tools/news_assemble.py target/release/stance data \
    data/labeling/news/candidates.csv.gz \
    $(ls data/labeling/news/labels/batch-*.labels.csv | paste -sd,) \
    data/labeling/news/adjudication.csv
"""
import csv, gzip, hashlib, os, subprocess, sys, tempfile
from collections import Counter, defaultdict

LABELS = {"deterrence", "escalation-warning", "diplomacy", "neutral"}
FIELDS = ["id", "text", "label", "source", "doc", "date", "url", "selection"]


def h(doc):
    return int(hashlib.sha256(doc.encode()).hexdigest()[:8], 16)


def furniture(stance, texts):
    """The texts that `stance` leaves out as boilerplate (each scored as
    its own paragraph)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        for t in texts:
            f.write(t + "\n\n")
        path = f.name
    out = subprocess.run([stance, "score", path, "--format", "csv", "-q"], check=True,
                         capture_output=True, text=True).stdout
    kept_lines = {int(r["line"]) for r in csv.DictReader(out.splitlines())}
    os.unlink(path)
    return {t for i, t in enumerate(texts) if 2 * i + 1 not in kept_lines}


def main(stance, out_dir, cand_files, label_files, adjudication):
    cands = {}
    for p in cand_files.split(","):
        f = gzip.open(p, "rt", encoding="utf-8") if p.endswith(".gz") else open(p, encoding="utf-8")
        for r in csv.DictReader(f):
            cands[r["cid"]] = r
    labels = {}
    for p in label_files.split(","):
        for r in csv.DictReader(open(p, encoding="utf-8")):
            lab = r["label"].strip()
            assert lab in LABELS, (p, r)
            assert r["cid"] in cands, (p, r["cid"])
            assert r["cid"] not in labels, ("labeled twice in first round", r["cid"])
            labels[r["cid"]] = lab
    missing = set(cands) - set(labels)
    assert not missing, f"{len(missing)} candidates without a label, e.g. {sorted(missing)[:3]}"
    changed = 0
    for r in csv.DictReader(open(adjudication, encoding="utf-8")):
        assert r["final"] in LABELS, r
        if labels[r["cid"]] != r["final"]:
            changed += 1
        labels[r["cid"]] = r["final"]

    drop = furniture(stance, [c["text"] for c in cands.values()])
    # A sentence already in the speech corpus (a closing line such as "God
    # bless you all ...") is not taken twice.
    speech = {r["text"] for p in ("stance-train.csv", "stance-test.csv")
              for r in csv.DictReader(open(f"{out_dir}/{p}", encoding="utf-8"))}
    whole_docs = sorted({c["doc"] for c in cands.values() if c["stratum"] == "wire-whole"}, key=h)
    side_of = {d: "test" for d in whole_docs[:85]}
    side_of.update({d: "dev" for d in whole_docs[85:145]})
    side_of.update({d: "train" for d in whole_docs[145:]})
    rows = defaultdict(list)
    dropped = Counter()
    seen = set()
    for cid, c in cands.items():  # rounds in order: a later round's repeat of a text is dropped
        if c["text"] in seen:
            dropped["repeat of an earlier round"] += 1
            continue
        seen.add(c["text"])
        if c["text"] in drop:
            dropped[c["stratum"]] += 1
            continue
        if c["text"] in speech:
            dropped["in speech corpus"] += 1
            continue
        doc = c["doc"]
        if "-enrich" in c["stratum"]:
            side = "train"
        elif doc in side_of:
            side = side_of[doc]
        else:
            m = h(doc) % 20
            side = "test" if m < 4 else "dev" if m < 7 else "train"
        rows[side].append({"id": cid, "text": c["text"], "label": labels[cid], "source": c["source"],
                           "doc": doc, "date": c["date"], "url": c["url"], "selection": c["stratum"]})
    for side in ("train", "dev", "test"):
        rs = sorted(rows[side], key=lambda r: (r["doc"], r["id"]))
        with open(f"{out_dir}/news-{side}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=FIELDS)
            w.writeheader()
            w.writerows(rs)
        whole = {r["doc"] for r in rs if r["selection"] == "wire-whole"}
        print(side, len(rs), "docs", len({r["doc"] for r in rs}), "whole", len(whole),
              dict(Counter(r["label"] for r in rs)), file=sys.stderr)
    print("furniture dropped", dict(dropped), "adjudication changed", changed, file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:6])
