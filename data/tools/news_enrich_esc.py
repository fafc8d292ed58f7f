#!/usr/bin/env python3
"""Second enrichment round, aimed at escalation-warning (training split only).

After the first rounds the news training split held only 139
escalation-warning sentences (2 % of news rows): too few to learn the
label's news vocabulary. This round draws from documents not used by any
earlier round (so they can go to the training split), wire articles and
White House documents alike, the sentences that carry an escalation cue word
(warn, threat, escalat, tension, provocat, destabiliz, brink, spiral,
danger, confrontation, retaliat, "could lead", "risk of") or that the
speech-trained model (shipped before the news corpus) gives an
escalation-warning probability of at least 0.3. At most 3 per document,
1,300 in all, seeded. Labels come from reading, as in every round.

Usage: news_enrich_esc.py STANCE_BIN SHARED_NEWS_DIR CANDIDATES.csv.gz OUT.csv
"""
import csv, gzip, json, random, re, sys, tempfile
from collections import defaultdict

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from news_select import draw_per_doc, model_probs, score_jsonl, split_turns, write_candidates  # noqa: E402

ESC = re.compile(r"\b(warn\w*|threat\w*|escalat\w*|tension\w*|provocat\w*|destabili[sz]\w*|brink|spiral\w*|danger\w*|confrontation\w*|retaliat\w*|could lead|risk of|wider war|all-out)\b", re.I)


def main(stance, news, cand_path, out_path):
    f = gzip.open(cand_path, "rt", encoding="utf-8") if cand_path.endswith(".gz") else open(cand_path, encoding="utf-8")
    cands_prev = list(csv.DictReader(f))
    used = {r["doc"] for r in cands_prev}
    texts = {r["text"] for r in cands_prev}
    cands = []
    wire = {}
    for line in gzip.open(f"{news}/wire2016.jsonl.gz", "rt", encoding="utf-8"):
        d = json.loads(line)
        wire[d["id"]] = d
    sents = score_jsonl(stance, f"{news}/wire2016.jsonl.gz", ["--source-column", "feed"])
    for did, d in wire.items():
        if did in used:
            continue
        for s in sents.get(did, []):
            cands.append(dict(doc=did, source=d["feed"], date=d["date"], url=d["url"], turn="",
                              sentence=s["sentence"], text=s["text"], stratum="wire-enrich-esc"))
    units = []
    for line in gzip.open(f"{news}/whitehouse2021-2026.jsonl.gz", "rt", encoding="utf-8"):
        d = json.loads(line)
        if d["id"] in used or d["security_core_hits"] == 0:
            continue
        parts = split_turns(d) if "press-briefings" in d["genre"] else [d["text"]]
        for k, t in enumerate(parts):
            if ESC.search(t):
                units.append((d, k, t))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for d, k, t in units:
            f.write(json.dumps({"id": f"{d['id']}#t{k}", "text": t}) + "\n")
        tpath = f.name
    ws = score_jsonl(stance, tpath, [])
    for d, k, t in units:
        for s in ws.get(f"{d['id']}#t{k}", []):
            cands.append(dict(doc=d["id"], source="whitehouse.gov", date=d["date"], url=d["url"], turn=k,
                              sentence=s["sentence"], text=s["text"], stratum="wh-enrich-esc"))
    pool = defaultdict(list)
    for c, p in zip(cands, model_probs(stance, [c["text"] for c in cands])):
        if len(c["text"]) >= 25 and (p["escalation-warning"] >= 0.3 or ESC.search(c["text"])):
            pool[c["doc"]].append(c)
    rows = draw_per_doc(pool, random.Random(99), 3, 1300, texts)
    write_candidates(out_path, rows)
    from collections import Counter
    print(len(rows), Counter(r["stratum"] for r in rows), "docs", len({r["doc"] for r in rows}), file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:5])
