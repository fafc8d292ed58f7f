#!/usr/bin/env python3
"""Top-up of the ordinary-news stratum (wire-plain).

After page furniture was recognised by the splitter (credit lines, photo
credits), 63 wire-plain rows became boilerplate and the stratum fell to
1,495 sentences, short of the 1,500 the corpus promises. This continues the
same seeded draw as news_select.py (same article order, same at most 4
sentences per article) past the articles already used, for 120 more
sentences, cut by the current splitter. Same stratum, same labeling.

Usage: news_plain_topup.py STANCE_BIN SHARED_NEWS_DIR CANDIDATES.csv[.gz] OUT.csv
"""
import csv, gzip, html, json, random, sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from news_select import sec_score, score_jsonl  # noqa: E402


def main(stance, news, cand_path, out_path):
    f = gzip.open(cand_path, "rt", encoding="utf-8") if cand_path.endswith(".gz") else open(cand_path, encoding="utf-8")
    cands = list(csv.DictReader(f))
    used = {r["doc"] for r in cands}
    texts = {r["text"] for r in cands}
    wire = {}
    for line in gzip.open(f"{news}/wire2016.jsonl.gz", "rt", encoding="utf-8"):
        d = json.loads(line)
        wire[d["id"]] = d
    sents = score_jsonl(stance, f"{news}/wire2016.jsonl.gz", ["--source-column", "feed"])
    plain = []
    for did, d in wire.items():
        core, hits = sec_score(d["title"] + " " + d["text"])
        if not sents.get(did):
            continue
        words = max(1, len(d["text"].split()))
        if core == 0 and hits * 100 / words < 0.3:
            plain.append(did)
    rng = random.Random(2016)
    rng.shuffle(plain)
    rows = []
    for did in plain:
        if did in used:
            continue
        if len(rows) >= 120:
            break
        d = wire[did]
        ss = [s for s in sents[did] if len(s["text"]) >= 20]
        for s in rng.sample(ss, min(4, len(ss))):
            t = " ".join(html.unescape(s["text"]).split())
            if t in texts:
                continue
            texts.add(t)
            rows.append(dict(cid=f"{did}#s{s['sentence']}", stratum="wire-plain", source=d["feed"], doc=did,
                             date=d["date"], url=d["url"], turn="", sentence=s["sentence"], text=t))
    with open(out_path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["cid", "stratum", "source", "doc", "date", "url", "turn", "sentence", "text"])
        w.writeheader()
        w.writerows(rows)
    print(len(rows), "docs", len({r["doc"] for r in rows}), file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:5])
