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
import csv, gzip, html, json, random, re, subprocess, sys, tempfile
from collections import defaultdict

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from news_select import score_jsonl, split_turns  # noqa: E402

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
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        for c in cands:
            f.write(c["text"].replace("\n", " ") + "\n")
        lpath = f.name
    out = subprocess.run([stance, "score", "--sentences", lpath, "--format", "jsonl", "-q"],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    assert len(out) == len(cands)
    pool = defaultdict(list)
    for c, line in zip(cands, out):
        p = json.loads(line)["probs"]["escalation-warning"]
        if len(c["text"]) >= 25 and (p >= 0.3 or ESC.search(c["text"])):
            pool[c["doc"]].append(c)
    rng = random.Random(99)
    docs = sorted(pool)
    rng.shuffle(docs)
    rows = []
    for did in docs:
        for c in rng.sample(pool[did], min(3, len(pool[did]))):
            t = " ".join(html.unescape(c["text"]).split())
            if t in texts:
                continue
            texts.add(t)
            c["text"] = t
            turn = f"t{c['turn']}" if c["turn"] != "" else ""
            c["cid"] = f"{c['doc']}#{turn}s{c['sentence']}"
            rows.append(c)
        if len(rows) >= 1300:
            break
    with open(out_path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["cid", "stratum", "source", "doc", "date", "url", "turn", "sentence", "text"])
        w.writeheader()
        w.writerows(rows)
    from collections import Counter
    print(len(rows), Counter(r["stratum"] for r in rows), "docs", len({r["doc"] for r in rows}), file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:5])
