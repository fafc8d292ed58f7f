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

Usage: news_enrich.py STANCE_BIN SHARED_NEWS_DIR CANDIDATES.csv OUT.csv
"""
import csv, gzip, html, json, random, re, subprocess, sys, tempfile
from collections import defaultdict

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from news_select import CORE, SEC, score_jsonl, split_turns  # noqa: E402

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
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        for c in cands:
            f.write(c["text"].replace("\n", " ") + "\n")
        lpath = f.name
    out = subprocess.run([stance, "score", "--sentences", lpath, "--format", "jsonl", "-q"],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    assert len(out) == len(cands)
    pool = defaultdict(list)
    for c, line in zip(cands, out):
        p = json.loads(line)["probs"]
        framed = max(p["deterrence"], p["escalation-warning"], p["diplomacy"])
        if len(c["text"]) >= 25 and (framed >= 0.45 or CUE.search(c["text"])):
            pool[c["doc"]].append(c)
    docs = sorted(pool)
    rng.shuffle(docs)
    rows, seen = [], set()
    for did in docs:
        for c in rng.sample(pool[did], min(5, len(pool[did]))):
            t = " ".join(html.unescape(c["text"]).split())
            if t in seen:
                continue
            seen.add(t)
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
