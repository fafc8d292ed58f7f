#!/usr/bin/env python3
"""Third (and, with --round4, fourth) selection round: deterrence-rich candidates.

Rounds 1-2 yielded deterrence mostly from post-1945 State of the Union
addresses (about 30% of their posture-worded sentences) and rarely from UN
speeches (about 6%). This round takes SOTU sentences (1945+) with defence or
military wording, plus UN speeches by states in open security disputes
(US, UK, France, Russia, Ukraine, Poland, the Baltic states, Israel, Iran,
the two Koreas, Japan, Georgia, Armenia, Azerbaijan, India, Pakistan) with
posture wording. Selection only: labels are assigned by reading.

Round 4 (after round 3 left deterrence at 689 of the 700 wanted) takes the
SOTU sentences with round 2's precise posture wording first, then broad
defence wording, with a fresh seed.

Usage: select_round3.py SHARED_CORPORA_DIR SEED_ARTICLE PREVIOUS.csv[,PREVIOUS2.csv] OUT.csv [--round4]
"""
import csv, random, re, sys, os
from collections import Counter
sys.path.insert(0, os.path.dirname(__file__))
from select_candidates import iter_docs, sentences, ok_sentence
from select_round2 import DET2

rng = random.Random(20261127)
SOTU_DEF = re.compile(r"\b(defen[cs]e|military|strength|strong|forces|armed|arms|weapons|missiles?|nuclear|aggress\w*|adversar\w*|enemies|enemy|deter\w*|allies|alliance|NATO|troops|navy|army|security|threat\w*|terror\w*|Soviet|communis\w*)\b", re.I)
COUNTRIES = {"USA", "GBR", "FRA", "RUS", "UKR", "POL", "LTU", "LVA", "EST", "ISR", "IRN", "KOR", "PRK", "JPN", "GEO", "ARM", "AZE", "IND", "PAK", "TUR", "CHN"}

def main(corpora, seed_path, previous, out, round4=False):
    global rng
    if round4:
        rng = random.Random(20261128)
    seed = set(sentences(open(seed_path, encoding="utf-8").read()))
    prev = [r for p in previous.split(",") for r in csv.DictReader(open(p, encoding="utf-8"))]
    seen = {r["text"] for r in prev}
    per_doc = Counter(r["doc"] for r in prev)
    sotu, un = [], []
    for d in iter_docs(corpora):
        src = d["source"]
        if src == "ungdc" and d.get("country") not in COUNTRIES:
            continue
        pat = SOTU_DEF if src == "sotu" else DET2
        for s in sentences(d["text"]):
            if ok_sentence(s) and s not in seed and s not in seen and pat.search(s):
                (sotu if src == "sotu" else un).append((d["id"], d["year"], src, s))
    rng.shuffle(sotu); rng.shuffle(un)
    if round4:
        # precise posture wording first, then the broad defence wording
        sotu.sort(key=lambda r: not DET2.search(r[3]))
    chosen = []
    targets = (650, 150) if round4 else (700, 200)
    for pool, target in zip((sotu, un), targets):
        n = 0
        for doc, year, src, s in pool:
            if n >= target:
                break
            if s in seen or per_doc[doc] >= (40 if round4 else 38):
                continue
            seen.add(s); per_doc[doc] += 1; n += 1
            chosen.append(("det3", doc, year, src, s))
    rng.shuffle(chosen)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["cid", "stratum", "source", "doc", "year", "text"])
        for i, (stratum, doc, year, src, s) in enumerate(chosen):
            w.writerow([f"{'f' if round4 else 'e'}{i:05d}", "det4" if round4 else stratum, src, doc, year, s])
    print(len(sotu), len(un), Counter(c[3] for c in chosen), file=sys.stderr)

if __name__ == "__main__":
    main(*sys.argv[1:5], round4="--round4" in sys.argv)
