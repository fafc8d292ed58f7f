#!/usr/bin/env python3
"""Extra plain-random candidates, so that at least a quarter of the corpus
is a plain random sample of post-1945 security-related speeches.

Same pool as the `random` stratum of select_candidates.py (sentences of
speeches with >= 8 security terms per 1000 words), fresh seed, excluding
everything already selected, at most 40 sentences per document overall.
Selection only; labels are assigned by reading.

Usage: select_random_extra.py SHARED_CORPORA_DIR SEED_ARTICLE PREVIOUS.csv[,...] OUT.csv N
"""
import csv, random, sys, os
from collections import Counter
sys.path.insert(0, os.path.dirname(__file__))
from select_candidates import iter_docs, sentences, ok_sentence, SEC

def main(corpora, seed_path, previous, out, n):
    rng = random.Random(20261129)
    seed = set(sentences(open(seed_path, encoding="utf-8").read()))
    prev = [r for p in previous.split(",") for r in csv.DictReader(open(p, encoding="utf-8"))]
    seen = {r["text"] for r in prev}
    per_doc = Counter(r["doc"] for r in prev)
    pool = []
    for d in iter_docs(corpora):
        src = d["source"]
        sents = [s for s in sentences(d["text"]) if ok_sentence(s) and s not in seed]
        words = max(1, sum(len(s.split()) for s in sents))
        if sum(len(SEC.findall(s)) for s in sents) * 1000 / words >= 8:
            pool.extend((d["id"], d["year"], src, s) for s in sents if s not in seen)
    rng.shuffle(pool)
    chosen, new_per_doc = [], Counter()
    for doc, year, src, s in pool:
        if len(chosen) >= int(n):
            break
        if s in seen or per_doc[doc] >= 40 or new_per_doc[doc] >= 12:
            continue
        seen.add(s); per_doc[doc] += 1; new_per_doc[doc] += 1
        chosen.append((doc, year, src, s))
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["cid", "stratum", "source", "doc", "year", "text"])
        for i, (doc, year, src, s) in enumerate(chosen):
            w.writerow([f"r{i:05d}", "random", src, doc, year, s])
    print(len(pool), len(chosen), file=sys.stderr)

if __name__ == "__main__":
    main(*sys.argv[1:6])
