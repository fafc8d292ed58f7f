#!/usr/bin/env python3
"""Peer baselines for the stance benchmark: scikit-learn and fastText.

Every command prints one JSON object on stdout (timings in seconds).

  peers.py sklearn-train TRAIN.csv TEST.csv MODEL.pkl
  peers.py sklearn-score MODEL.pkl SENTENCES.txt --procs N
  peers.py fasttext-train TRAIN.csv TEST.csv MODEL.bin
  peers.py fasttext-score MODEL.bin SENTENCES.txt --procs N

Scoring reads pre-split sentences (one per line) into memory first, then
times prediction of class probabilities for every sentence (all four
labels, as stance reports), in chunks of 10,000. With --procs N > 1 the
chunks are spread over N worker processes (multiprocessing, each with its
own copy of the model, loaded before the clock starts).
"""
import argparse
import csv
import json
import os
import pickle
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stemtok  # noqa: E402

CHUNK = 10_000
LABELS = ["deterrence", "escalation-warning", "diplomacy", "neutral"]


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["label"].strip().lower() for r in rows]


def read_sentences(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def macro_f1(truth, pred):
    from sklearn.metrics import f1_score

    return float(f1_score(truth, pred, labels=LABELS, average="macro", zero_division=0))


# ---------------------------------------------------------------- scikit-learn

def sklearn_train(a):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    x_train, y_train = read_csv(a.train)
    x_test, y_test = read_csv(a.test)
    t0 = time.perf_counter()
    vec = TfidfVectorizer(
        tokenizer=stemtok.stem_tokens,
        token_pattern=None,
        lowercase=False,
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=2,
    )
    xt = vec.fit_transform(x_train)
    t1 = time.perf_counter()
    clf = LogisticRegression(max_iter=1000)
    clf.fit(xt, y_train)
    t2 = time.perf_counter()
    pred = clf.predict(vec.transform(x_test))
    f1 = macro_f1(y_test, pred)
    with open(a.model, "wb") as f:
        pickle.dump((vec, clf), f, protocol=pickle.HIGHEST_PROTOCOL)
    print(json.dumps({
        "tool": "scikit-learn",
        "train_s": t2 - t0,
        "vectorize_s": t1 - t0,
        "fit_s": t2 - t1,
        "features": int(xt.shape[1]),
        "train_rows": len(x_train),
        "test_rows": len(x_test),
        "macro_f1": f1,
        "model_bytes": os.path.getsize(a.model),
    }))


_MODEL = None


def _sk_load(path):
    global _MODEL
    with open(path, "rb") as f:
        _MODEL = pickle.load(f)


def _sk_chunk(chunk):
    vec, clf = _MODEL
    p = clf.predict_proba(vec.transform(chunk))
    return len(chunk), p.argmax(axis=1).tolist().count(0)


# --------------------------------------------------------------------- fastText

def ft_text(text):
    return " ".join(stemtok.words(text))


def fasttext_train(a):
    import fasttext

    x_train, y_train = read_csv(a.train)
    x_test, y_test = read_csv(a.test)
    tmp = a.model + ".train.txt"
    t0 = time.perf_counter()
    with open(tmp, "w", encoding="utf-8") as f:
        for x, y in zip(x_train, y_train):
            f.write(f"__label__{y} {ft_text(x)}\n")
    model = fasttext.train_supervised(
        input=tmp,
        wordNgrams=2,
        epoch=25,
        lr=0.5,
        dim=100,
        loss="softmax",
        thread=os.cpu_count(),
        seed=1,
        verbose=0,
    )
    t1 = time.perf_counter()
    os.remove(tmp)
    labels, _ = model.predict([ft_text(x) for x in x_test], k=1)
    pred = [l[0].replace("__label__", "") for l in labels]
    f1 = macro_f1(y_test, pred)
    model.save_model(a.model)
    print(json.dumps({
        "tool": "fastText",
        "train_s": t1 - t0,
        "train_rows": len(x_train),
        "test_rows": len(x_test),
        "macro_f1": f1,
        "threads": os.cpu_count(),
        "model_bytes": os.path.getsize(a.model),
    }))


def _ft_load(path):
    global _MODEL
    import fasttext

    _MODEL = fasttext.load_model(path)


def _ft_chunk(chunk):
    texts = [ft_text(s) for s in chunk]
    labels, _ = _MODEL.predict(texts, k=-1)
    return len(chunk), sum(1 for l in labels if l[0] == "__label__deterrence")


# --------------------------------------------------------------------- scoring

def score(a, load, chunk_fn, tool):
    sentences = read_sentences(a.sentences)
    chunks = [sentences[i:i + CHUNK] for i in range(0, len(sentences), CHUNK)]
    t0 = time.perf_counter()
    load(a.model)
    load_s = time.perf_counter() - t0
    if a.procs <= 1:
        t0 = time.perf_counter()
        n = sum(chunk_fn(c)[0] for c in chunks)
        wall = time.perf_counter() - t0
    else:
        import multiprocessing as mp

        ctx = mp.get_context("fork")
        with ctx.Pool(a.procs, initializer=load, initargs=(a.model,)) as pool:
            pool.map(abs, range(a.procs * 4))  # workers started, models loaded
            t0 = time.perf_counter()
            n = sum(r[0] for r in pool.imap_unordered(chunk_fn, chunks))
            wall = time.perf_counter() - t0
    extra = {}
    if tool == "fastText" and a.procs <= 1:
        # Prediction alone, on already tokenized text (no Python preprocessing).
        pre = [ft_text(s) for s in sentences]
        t0 = time.perf_counter()
        for i in range(0, len(pre), CHUNK):
            _MODEL.predict(pre[i:i + CHUNK], k=-1)
        extra["predict_only_sentences_per_s"] = len(pre) / (time.perf_counter() - t0)
    print(json.dumps({
        "tool": tool,
        "procs": a.procs,
        "sentences": n,
        "wall_s": wall,
        "sentences_per_s": n / wall,
        "load_s": load_s,
        **extra,
    }))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("sklearn-train", "fasttext-train"):
        s = sub.add_parser(name)
        s.add_argument("train")
        s.add_argument("test")
        s.add_argument("model")
    for name in ("sklearn-score", "fasttext-score"):
        s = sub.add_parser(name)
        s.add_argument("model")
        s.add_argument("sentences")
        s.add_argument("--procs", type=int, default=1)
    a = p.parse_args()
    if a.cmd == "sklearn-train":
        sklearn_train(a)
    elif a.cmd == "fasttext-train":
        fasttext_train(a)
    elif a.cmd == "sklearn-score":
        score(a, _sk_load, _sk_chunk, "scikit-learn")
    else:
        score(a, _ft_load, _ft_chunk, "fastText")


if __name__ == "__main__":
    main()
