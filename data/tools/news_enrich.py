#!/usr/bin/env python3
"""Select an enrichment round of news sentences likely to carry framing
(training split only).

News is mostly neutral: whole articles give few framed sentences to learn
from. This round draws sentences from documents that are NOT in the first
round (news_select.py), so they can go to the training split without
touching dev/test: wire articles with security vocabulary (including those
over 60 sentences, which could not be labeled whole) and White House
security documents. A sentence is a candidate when the speech-trained model
shipped before the news corpus calls it framed with probability >= 0.45 or
it carries a framing cue word (disagreement/uncertainty sampling: the
model's errors on news are exactly what must be learned). At most 5 per
document, 1,300 in all, seeded. The label is assigned by reading, as for
every round; the annotator does not see this selection.

Reproducing: set STANCE_SELECTION_MODEL to the speech model (see
news_select.model_args). This round was drawn with the stance binary of
commit ea1a7a7, before collection fields had their HTML character
references decoded; the current binary splits a few titles differently and
draws a slightly different set (1,301 rows, 13 more from the wire).

Usage: news_enrich.py STANCE_BIN SHARED_NEWS_DIR CANDIDATES.csv OUT.csv
"""
import csv, gzip, json, random, re, sys, tempfile
from collections import defaultdict

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from news_select import CORE, draw_per_doc, model_probs, score_jsonl, split_turns, write_candidates  # noqa: E402

CUE = re.compile(r"\b(warn\w*|threat\w*|escalat\w*|tension\w*|deter\w*|provocat\w*|retaliat\w*|talks|negotiat\w*|ceasefire|truce|dialogue|restraint|resolve|defend\w*|readiness|brink|confrontation|spiral|red line|consequences)\b", re.I)


def main(stance, news, cand_path, out_path):
    taken_docs = {r["doc"] for r in csv.DictReader(open(cand_path, encoding="utf-8"))}
    cands = []
    wire = {json.loads(l)["id"]: json.loads(l) for l in gzip.open(f"{news}/wire2016.jsonl.gz", "rt", encoding="utf-8")}
    sents = score_jsonl(stance, f"{news}/wire2016.jsonl.gz", ["--source-column", "feed"])
    for did, d in wire.items():
        if did in taken_docs or not CORE.search(d["title"] + " " + d["text"]):
            continue
        for s in sents.get(did, []):
            cands.append(dict(doc=did, source=d["feed"], date=d["date"], url=d["url"], turn="",
                              sentence=s["sentence"], text=s["text"], stratum="wire-enrich"))
    wh = [json.loads(l) for l in gzip.open(f"{news}/whitehouse2021-2026.jsonl.gz", "rt", encoding="utf-8")]
    units = []
    for d in wh:
        if d["id"] in taken_docs or d["security_core_distinct"] < 2:
            continue
        parts = split_turns(d) if "press-briefings" in d["genre"] else [d["text"]]
        for k, t in enumerate(parts):
            if CORE.search(t):
                units.append((d, k, t))
    rng = random.Random(77)
    rng.shuffle(units)
    units = units[:1500]
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for d, k, t in units:
            f.write(json.dumps({"id": f"{d['id']}#t{k}", "text": t, "date": d["date"]}) + "\n")
        tpath = f.name
    ws = score_jsonl(stance, tpath, [])
    for d, k, t in units:
        for s in ws.get(f"{d['id']}#t{k}", []):
            cands.append(dict(doc=d["id"], source="whitehouse.gov", date=d["date"], url=d["url"], turn=k,
                              sentence=s["sentence"], text=s["text"], stratum="wh-enrich"))
    # Model probabilities for every candidate.
    pool = defaultdict(list)
    for c, p in zip(cands, model_probs(stance, [c["text"] for c in cands])):
        framed = max(p["deterrence"], p["escalation-warning"], p["diplomacy"])
        if len(c["text"]) >= 25 and (framed >= 0.45 or CUE.search(c["text"])):
            pool[c["doc"]].append(c)
    rows = draw_per_doc(pool, rng, 5, 1300, set())
    write_candidates(out_path, rows)
    from collections import Counter
    print(len(rows), Counter(r["stratum"] for r in rows), "docs", len({r["doc"] for r in rows}), file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:5])
