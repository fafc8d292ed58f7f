#!/usr/bin/env python3
"""Quality side by side: scikit-learn and fastText trained on the same CSVs
as stance, evaluated on the same splits with the same metrics as
`stance eval --format json` (macro-F1, per-label F1, label shares, and the
per-document share error on documents labeled whole).

Each peer gets a small grid of its own settings, chosen on the DEV file by
macro-F1 (the same rule stance's settings were chosen by), then is
evaluated once on every TEST file. Prints one JSON object per peer.

  quality.py --train A.csv B.csv --dev DEV.csv --test T1.csv T2.csv \
             [--whole-selection wire-whole]
"""
import argparse
import csv
import json
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stemtok  # noqa: E402

LABELS = ["deterrence", "escalation-warning", "diplomacy", "neutral"]


def read_csv(paths):
    rows = []
    for p in paths:
        with open(p, newline="", encoding="utf-8") as f:
            rows += list(csv.DictReader(f))
    return rows


def metrics(rows, pred, whole):
    from sklearn.metrics import f1_score

    truth = [r["label"] for r in rows]
    per = f1_score(truth, pred, labels=LABELS, average=None, zero_division=0)
    n = len(rows)
    shares = {l: {"true": truth.count(l) / n, "predicted": list(pred).count(l) / n} for l in LABELS}
    out = {
        "rows": n,
        "accuracy": sum(a == b for a, b in zip(truth, pred)) / n,
        "macro_f1": float(per.mean()),
        "f1": {l: float(v) for l, v in zip(LABELS, per)},
        "shares": shares,
    }
    docs = defaultdict(list)
    for r, p in zip(rows, pred):
        if whole is None or r.get("selection") == whole:
            docs[r["doc"]].append((r["label"], p))
    if docs:
        err = [abs(sum(t == "escalation-warning" for t, _ in v) - sum(p == "escalation-warning" for _, p in v)) / len(v)
               for v in docs.values()]
        out["documents"] = len(docs)
        out["escalation_ratio_mae"] = sum(err) / len(err)
    return out


class Sklearn:
    name = "scikit-learn"

    def grid(self):
        return [{"C": c, "class_weight": w} for c in (1.0, 4.0, 10.0) for w in (None, "balanced")]

    def fit(self, rows, cfg):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.vec = TfidfVectorizer(tokenizer=stemtok.stem_tokens, token_pattern=None, lowercase=False,
                                   ngram_range=(1, 2), sublinear_tf=True, min_df=2)
        x = self.vec.fit_transform([r["text"] for r in rows])
        self.clf = LogisticRegression(max_iter=2000, C=cfg["C"], class_weight=cfg["class_weight"])
        self.clf.fit(x, [r["label"] for r in rows])

    def predict(self, rows):
        return list(self.clf.predict(self.vec.transform([r["text"] for r in rows])))


class FastText:
    name = "fastText"

    def grid(self):
        return [{"epoch": e, "lr": lr} for e in (10, 25) for lr in (0.1, 0.5)]

    def fit(self, rows, cfg):
        import fasttext

        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
            for r in rows:
                f.write(f"__label__{r['label']} {' '.join(stemtok.words(r['text']))}\n")
            path = f.name
        self.model = fasttext.train_supervised(input=path, wordNgrams=2, dim=100, loss="softmax",
                                               thread=1, seed=1, verbose=0, **cfg)
        os.unlink(path)

    def predict(self, rows):
        labels, _ = self.model.predict([" ".join(stemtok.words(r["text"])) for r in rows], k=1)
        return [l[0].replace("__label__", "") for l in labels]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--train", nargs="+", required=True)
    p.add_argument("--dev", required=True)
    p.add_argument("--test", nargs="+", required=True)
    p.add_argument("--whole-selection", default="wire-whole")
    a = p.parse_args()
    train, dev = read_csv(a.train), read_csv([a.dev])
    for peer in (Sklearn(), FastText()):
        best = None
        tried = []
        for cfg in peer.grid():
            t0 = time.perf_counter()
            peer.fit(train, cfg)
            m = metrics(dev, peer.predict(dev), a.whole_selection)
            tried.append({"config": cfg, "dev_macro_f1": m["macro_f1"], "fit_s": time.perf_counter() - t0})
            if best is None or m["macro_f1"] > best[1]:
                best = (cfg, m["macro_f1"])
        peer.fit(train, best[0])
        tests = {t: metrics(rows, peer.predict(rows), a.whole_selection)
                 for t, rows in ((t, read_csv([t])) for t in a.test)}
        print(json.dumps({"tool": peer.name, "chosen": best[0], "grid": tried, "train_rows": len(train),
                          "test": tests}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
