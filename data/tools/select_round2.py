#!/usr/bin/env python3
"""Second selection round: candidates rich in deterrence language.

The first round (select_candidates.py) gave about 4% deterrence sentences,
too few for the 700 the corpus needs. This round draws sentences with
posture/strength/cost wording, mostly from post-1945 State of the Union
addresses and from UN speeches by states in open security disputes.
Selection only: labels are assigned afterwards by reading each sentence.

Usage: select_round2.py SHARED_CORPORA_DIR SEED_ARTICLE ROUND1.csv OUT.csv
"""
import csv, random, re, sys
from collections import Counter
sys.path.insert(0, __import__("os").path.dirname(__file__))
from select_candidates import iter_docs, sentences, ok_sentence

rng = random.Random(20261126)
DET2 = re.compile(r"\bdeter|deterrent|peace through strength|strong defen[cs]e|military (strength|power|might|capabilit)|defen[cs]e capabilit|readiness|ready to (defend|respond|fight)|defend (ourselves|our|itself|its|their|every)|self-defen[cs]e|collective defen|article 5|attack on one|strength(en)? (our|its|the) (defen|armed|military|forces|alliance)|respond (firmly|decisively|resolutely|with force)|decisive(ly)? response|pay (a|the) (heavy |high )?price|bear (full )?responsibility|severe consequences|will not (tolerate|be intimidated|allow aggression)|our resolve|unwavering|vigilan|second to none|strong enough|military superiority|counter-?attack|retaliat|punish|maximum pressure|sanctions (will|must|are) |costs? (on|for) (the )?aggress|aggressor|arm(s|ing) (ukraine|our|the)|weapons to|modernize|nuclear (deterrent|umbrella|arsenal|forces)|troops (to|in) (europe|the border|poland|the baltic)|forward (presence|deployed)|keep (our|america) strong|protect (our|its) (sovereignty|territory|people|allies)|ironclad|commitment to (the )?defen", re.I)

def main(corpora, seed_path, round1, out):
    seed = {s for s in sentences(open(seed_path, encoding="utf-8").read())}
    r1 = list(csv.DictReader(open(round1, encoding="utf-8")))
    seen = {r["text"] for r in r1}
    per_doc = Counter(r["doc"] for r in r1)
    pool = []
    for d in iter_docs(corpora):
        src = d["source"]
        for s in sentences(d["text"]):
            if ok_sentence(s) and s not in seed and s not in seen and DET2.search(s):
                pool.append((d["id"], d["year"], src, s))
    rng.shuffle(pool)
    # SOTU first (richest in posture language), then UN speeches, each doc capped.
    pool.sort(key=lambda r: -((r[2] == "sotu") * 1.0 + rng.random() * 1.2))
    chosen = []
    for doc, year, src, s in pool:
        if len(chosen) >= 1500:
            break
        if s in seen or per_doc[doc] >= 30:
            continue
        seen.add(s); per_doc[doc] += 1
        chosen.append(("det2", doc, year, src, s))
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["cid", "stratum", "source", "doc", "year", "text"])
        for i, (stratum, doc, year, src, s) in enumerate(chosen):
            w.writerow([f"d{i:05d}", stratum, src, doc, year, s])
    print(len(pool), Counter(c[3] for c in chosen), file=sys.stderr)

if __name__ == "__main__":
    main(*sys.argv[1:5])
