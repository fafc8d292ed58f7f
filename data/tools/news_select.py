#!/usr/bin/env python3
"""Select news candidate sentences for labeling (news corpus, issue 8).

Sentences are cut by the product itself (`stance score --format jsonl`), so
the labeled units are exactly what `stance` scores: titles are the first
sentence, page furniture that the splitter already recognises is left out.

Strata (the stratum is never shown to annotators):
  wire-whole   security-related wire articles of at most 60 sentences
               (the 262 highest by distinct core terms, then density),
               labeled whole (every sentence, title included). "Security-
               related" is a keyword score over title and text (selection
               only; labels come from reading).
  wire-plain   ordinary wire news (not security-related by the same score):
               a random sample of at most 4 sentences per article.
  wh           White House statements, readouts, fact sheets and press
               briefings 2021-2026. Briefings are split into speaker turns
               first (a turn starts with "MS. PSAKI:", "Q", ...), the speaker
               tag is removed; up to 8 sentences per document are drawn:
               in 230 security documents from the first 12 sentences that
               carry core then general security vocabulary, in 60 documents
               without security keywords at random.
Titles carry HTML character references in the shared file (&#039;); the
candidate text is unescaped (html.unescape), as `stance` itself reads it.

Usage: news_select.py STANCE_BIN SHARED_NEWS_DIR OUT_DIR
Writes OUT_DIR/news-candidates.csv (cid, stratum, source, doc, date, url,
turn, sentence, text) and OUT_DIR/wh-turns.jsonl (the turn documents).
Deterministic: random.Random(2016) / (2021).
"""
import csv, gzip, html, json, os, random, re, subprocess, sys, tempfile
from collections import defaultdict

SEC = re.compile(r"\b(nato|russia\w*|kremlin|moscow|putin|ukrain\w*|crimea|missile\w*|nuclear|military|militar\w*|troops?|army|navy|naval|air ?force|pentagon|defen[cs]e|warship\w*|fighter jets?|drills?|exercises?|sanction\w*|north korea\w*|pyongyang|kim jong|iran\w*|tehran|syria\w*|assad|islamic state|isis|isil|south china sea|beijing|taiwan|ceasefire|cease-fire|truce|peace talks|war|warn\w*|threat\w*|escalat\w*|tension\w*|deterr\w*|weapon\w*|strikes?|airstrikes?|rebels?|insurgen\w*|militants?|israel\w*|gaza|hamas|hezbollah|houthi\w*|red sea|yemen\w*|allies|alliance|security council|diplomat\w*|treaty|arms)\b", re.I)
CORE = re.compile(r"\b(nato|missile\w*|nuclear weapon\w*|troops|military|warship\w*|south china sea|north korea\w*|pyongyang|ceasefire|cease-fire|escalat\w*|deterr\w*|airstrikes?|sanctions|islamic state|ukrain\w*|crimea)\b", re.I)
SPEAKER = re.compile(r"^(?:(?:MR|MS|MRS|DR|ADMIRAL|GENERAL|SECRETARY|AMBASSADOR|PRESIDENT|VICE PRESIDENT|SENATOR|THE PRESIDENT|MODERATOR|OPERATOR)\.?\s*[A-Z][A-Za-z'’.\- ]{0,40}|Q|THE PRESIDENT|THE VICE PRESIDENT|MODERATOR|OPERATOR|[A-Z][A-Z'’.\- ]{2,40}):\s+")


FIELDS = ["cid", "stratum", "source", "doc", "date", "url", "turn", "sentence", "text"]


def model_args():
    """`-m MODEL` when STANCE_SELECTION_MODEL is set. Selection used the
    speech-trained model shipped before the news corpus; to reproduce a
    selection exactly, point this at it:
    `git show 9d630e2:models/stance-default.model > speech.model`."""
    m = os.environ.get("STANCE_SELECTION_MODEL")
    return ["-m", m] if m else []


def score_jsonl(stance, path, extra):
    out = subprocess.run([stance, "score", path, "--format", "jsonl", "-q", *extra, *model_args()],
                         check=True, capture_output=True, text=True).stdout
    by_doc = defaultdict(list)
    for line in out.splitlines():
        r = json.loads(line)
        by_doc[r["doc"]].append(r)
    return by_doc


def model_probs(stance, texts):
    """The model's probabilities for each text, scored as one sentence."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        for t in texts:
            f.write(t.replace("\n", " ") + "\n")
        path = f.name
    out = subprocess.run([stance, "score", "--sentences", path, "--format", "jsonl", "-q", *model_args()],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    os.unlink(path)
    assert len(out) == len(texts), (len(out), len(texts))
    return [json.loads(line)["probs"] for line in out]


def draw_per_doc(pool, rng, per_doc, limit, seen):
    """Up to `per_doc` sentences from each document of `pool` (doc ->
    candidates), documents in a shuffled order, until `limit` rows; text
    unescaped and whitespace-collapsed, texts in `seen` skipped (and added),
    cid set."""
    docs = sorted(pool)
    rng.shuffle(docs)
    rows = []
    for did in docs:
        for c in rng.sample(pool[did], min(per_doc, len(pool[did]))):
            t = " ".join(html.unescape(c["text"]).split())
            if t in seen:
                continue
            seen.add(t)
            c["text"] = t
            turn = f"t{c['turn']}" if c["turn"] != "" else ""
            c["cid"] = f"{c['doc']}#{turn}s{c['sentence']}"
            rows.append(c)
        if len(rows) >= limit:
            break
    return rows


def write_candidates(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(rows)


def sec_score(text):
    return len(set(m.lower() for m in CORE.findall(text))), len(SEC.findall(text))


def split_turns(doc):
    """Briefing paragraphs grouped into speaker turns, speaker tag removed."""
    turns, cur = [], []
    for para in doc["text"].split("\n\n"):
        p = para.strip()
        m = SPEAKER.match(p)
        if m and cur:
            turns.append("\n\n".join(cur))
            cur = []
        cur.append(p[m.end():] if m else p)
    if cur:
        turns.append("\n\n".join(cur))
    return [t for t in turns if t.strip()]


def main(stance, news, out):
    wire = {}
    for line in gzip.open(f"{news}/wire2016.jsonl.gz", "rt", encoding="utf-8"):
        d = json.loads(line)
        wire[d["id"]] = d
    sents = score_jsonl(stance, f"{news}/wire2016.jsonl.gz", ["--source-column", "feed"])
    rows = []
    sec, plain = [], []
    for did, d in wire.items():
        core, hits = sec_score(d["title"] + " " + d["text"])
        n = len(sents.get(did, []))
        if n == 0:
            continue
        words = max(1, len(d["text"].split()))
        dens = hits * 100 / words
        if n <= 60 and ((core >= 2 and dens >= 0.5) or (core == 1 and dens >= 1.5)):
            sec.append((min(core, 2), dens, did))
        elif core == 0 and hits * 100 / words < 0.3:
            plain.append(did)
    sec.sort(reverse=True)
    whole = [did for _, _, did in sec[:262]]
    for did in whole:
        d = wire[did]
        for s in sents[did]:
            rows.append(dict(stratum="wire-whole", source=d["feed"], doc=did, date=d["date"], url=d["url"],
                             turn="", sentence=s["sentence"], text=s["text"]))
    rng = random.Random(2016)
    rng.shuffle(plain)
    taken = 0
    for did in plain:
        if taken >= 1560:
            break
        d = wire[did]
        ss = [s for s in sents[did] if len(s["text"]) >= 20]
        for s in rng.sample(ss, min(4, len(ss))):
            rows.append(dict(stratum="wire-plain", source=d["feed"], doc=did, date=d["date"], url=d["url"],
                             turn="", sentence=s["sentence"], text=s["text"]))
            taken += 1

    # White House: documents -> turns (briefings) or one unit (others).
    wh = [json.loads(l) for l in gzip.open(f"{news}/whitehouse2021-2026.jsonl.gz", "rt", encoding="utf-8")]
    rng = random.Random(2021)
    secdocs = [d for d in wh if d["security_core_distinct"] >= 2]
    other = [d for d in wh if d["security_core_hits"] == 0]
    rng.shuffle(secdocs)
    rng.shuffle(other)
    chosen = [(d, "sec") for d in secdocs[:230]] + [(d, "rand") for d in other[:60]]
    units = []
    for d, why in chosen:
        parts = split_turns(d) if "press-briefings" in d["genre"] else [d["text"]]
        for k, t in enumerate(parts):
            units.append({"uid": f"{d['id']}#t{k}", "doc": d["id"], "turn": k, "why": why,
                          "text": t, "title": d["title"] if k == 0 else "", "date": d["date"], "url": d["url"]})
    tpath = f"{out}/wh-turns.jsonl"
    with open(tpath, "w", encoding="utf-8") as f:
        for u in units:
            f.write(json.dumps({"id": u["uid"], "text": u["text"], "title": u["title"], "date": u["date"]}) + "\n")
    ws = score_jsonl(stance, tpath, [])
    by_doc = defaultdict(list)
    for u in units:
        for s in ws.get(u["uid"], []):
            by_doc[u["doc"]].append((u, s))
    for d, why in chosen:
        cand = [(u, s) for u, s in by_doc[d["id"]] if len(s["text"]) >= 20]
        if why == "sec":
            pool = [(u, s) for u, s in cand if CORE.search(s["text"])]
            pool += [(u, s) for u, s in cand if SEC.search(s["text"]) and not CORE.search(s["text"])]
            pool = pool[:12]
            if len(pool) < 8:
                pool += [c for c in cand if c not in pool][: 8 - len(pool)]
        else:
            pool = cand
        for u, s in rng.sample(pool, min(8, len(pool))):
            rows.append(dict(stratum=f"wh-{why}", source="whitehouse.gov", doc=d["id"], date=d["date"],
                             url=d["url"], turn=u["turn"], sentence=s["sentence"], text=s["text"]))

    seen, out_rows = set(), []
    for r in rows:
        t = " ".join(html.unescape(r["text"]).split())
        if t in seen:
            continue
        seen.add(t)
        r["text"] = t
        turn = f"t{r['turn']}" if r["turn"] != "" else ""
        r["cid"] = f"{r['doc']}#{turn}s{r['sentence']}"
        out_rows.append(r)
    write_candidates(f"{out}/news-candidates.csv", out_rows)
    from collections import Counter
    print(Counter(r["stratum"] for r in out_rows), len(out_rows), "docs",
          len({r["doc"] for r in out_rows}), file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:4])
