"""How the corrected-share method was chosen: on the news dev split only.

The dev split is cut in two halves by document (sha256 of the doc id); on
one half a matrix-scaling calibration (multinomial logistic regression on
the log of the raw probabilities, as `stance train --calibrate` fits) and
the held-out rates are fitted, and on the whole articles of the other half
collections of 15 articles are drawn (random, mostly neutral,
escalation-heavy; as `stance eval --shares`); then the halves swap. For
each collection: the mean absolute error of counting top labels (cc), of
the mean calibrated probability (pcc) and of probabilistic adjusted
classify-and-count (pacc), and the coverage of pacc's 95 % interval with
the noise term with and without the design effect of documents.

    target/bench-venv/bin/python benches/harness/shares_select.py MODEL
"""
import collections, csv, hashlib, json, os, subprocess, sys

import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
L = ["deterrence", "escalation-warning", "diplomacy", "neutral"]


def raw_probs(model, texts):
    out = subprocess.run(
        [os.path.join(ROOT, "target/release/stance"), "score", "--sentences", "-", "-f", "jsonl",
         "--raw-probs", "-q", "-m", model],
        input="\n".join(t.replace("\n", " ") for t in texts) + "\n", capture_output=True, text=True, check=True)
    return np.array([[json.loads(l)["raw_probs"][k] for k in L] for l in out.stdout.splitlines()])


def main():
    model = sys.argv[1]
    rows = list(csv.DictReader(open(os.path.join(ROOT, "data/news-dev.csv"))))
    P = raw_probs(model, [r["text"] for r in rows])
    y = np.array([L.index(r["label"]) for r in rows])
    Z = np.log(np.clip(P, 1e-7, 1))
    docs = collections.defaultdict(list)
    for i, r in enumerate(rows):
        docs[r["doc"]].append(i)
    fold = {d: int(hashlib.sha256(d.encode()).hexdigest()[:8], 16) % 2 for d in docs}
    rng = np.random.default_rng(3)
    B, K = 200, 15
    out = collections.defaultdict(lambda: collections.defaultdict(list))
    for f in [0, 1]:
        fit_docs = [d for d in docs if fold[d] == f]
        ev = [d for d in docs if fold[d] != f and rows[docs[d][0]]["selection"] == "wire-whole"]
        fi = np.concatenate([docs[d] for d in fit_docs])
        Q = LogisticRegression(C=1, max_iter=2000).fit(Z[fi], y[fi]).predict_proba(Z)

        def rates(ds):
            idx = np.concatenate([docs[d] for d in ds])
            return np.array([Q[idx][y[idx] == i].mean(0) for i in range(4)])

        M = rates(fit_docs)
        Ainv = np.linalg.inv(M.T)
        Ab = [np.linalg.inv(rates([fit_docs[j] for j in rng.choice(len(fit_docs), len(fit_docs))]).T)
              for _ in range(B)]
        E = (Q[fi] - M[y[fi]]) @ Ainv.T
        Sig = [np.cov(E[y[fi] == i].T) for i in range(4)]
        pos = {i: k for k, i in enumerate(fi)}
        num = sum(E[[pos[i] for i in docs[d]]].sum(0) ** 2 for d in fit_docs)
        deff = np.maximum(num / (E ** 2).sum(0), 1)
        share = {d: (y[docs[d]] == 1).mean() for d in ev}
        srt = sorted(ev, key=lambda d: share[d])
        hi = [d for d in ev if share[d] > 0]
        lo = [d for d in ev if share[d] == 0]
        for kind in ["random", "mostly-neutral", "escalation-heavy"]:
            for _ in range(200):
                if kind == "random":
                    c = list(rng.choice(ev, K, replace=False))
                elif kind == "mostly-neutral":
                    c = list(rng.choice(srt[: int(len(srt) * 0.6)], K, replace=False))
                else:
                    k = min(len(hi), K // 2)
                    c = list(rng.choice(hi, k, replace=False)) + list(rng.choice(lo, K - k, replace=False))
                idx = np.concatenate([docs[d] for d in c])
                N = len(idx)
                t = np.bincount(y[idx], minlength=4) / N
                q = Q[idx].mean(0)
                pacc = np.clip(Ainv @ q, 0, None)
                pacc /= pacc.sum()
                o = out[kind]
                o["mae cc"].append(abs(np.bincount(P[idx].argmax(1), minlength=4) / N - t))
                o["mae pcc"].append(abs(q - t))
                o["mae pacc"].append(abs(pacc - t))
                V0 = sum(pacc[i] * Sig[i] for i in range(4)) / N
                S = np.sqrt(deff)
                for name, V in [("no design effect", V0), ("design effect", V0 * np.outer(S, S))]:
                    C = np.linalg.cholesky(V + 1e-12 * np.eye(4))
                    draws = []
                    for b in range(B):
                        p = np.clip(Ab[b] @ q + C @ rng.standard_normal(4), 0, None)
                        draws.append(p / p.sum())
                    l, h = np.percentile(np.array(draws), [2.5, 97.5], axis=0)
                    o["coverage pacc, " + name].append((l <= t + 1e-9) & (t <= h + 1e-9))
    print("| collections | figure | " + " | ".join(L) + " |")
    print("|---|---|" + "---|" * 4)
    for kind, o in out.items():
        for k, v in o.items():
            m = np.mean(v, 0)
            fmt = (lambda x: f"{100 * x:.1f}%") if k.startswith("coverage") else (lambda x: f"{x:.4f}")
            print(f"| {kind} | {k} | " + " | ".join(fmt(x) for x in m) + " |")


main()
