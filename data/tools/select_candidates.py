#!/usr/bin/env python3
"""Select candidate sentences for labeling from the UNGDC and SOTU corpora.

Selection only: this script never assigns a label. Every candidate it writes is
labeled afterwards by a person (or annotator) reading it against
../shared/annotation-guide.md.

Strata (see data/README.md):
  random   plain random sample of sentences from post-1945 security-related speeches
  esc      sentences with escalation-risk vocabulary
  det      sentences with defence/posture/cost vocabulary
  dip      sentences with negotiation/agreement vocabulary
  hard     sentences with security vocabulary but none of the three lists above
           (the hard-negative pool: "the war ended", "defence budget", "talks on trade")

Usage: select_candidates.py SHARED_CORPORA_DIR SEED_ARTICLE OUT.csv
"""
import csv, gzip, json, random, re, sys
from collections import Counter, defaultdict

SEED = 20261125
rng = random.Random(SEED)

ABBREV = r"(?:Mr|Mrs|Ms|Dr|Gen|Col|Lt|Sgt|Capt|Adm|Gov|Sen|Rep|Prof|St|Jr|Sr|No|Nos|Art|Arts|Vol|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|vs|etc|cf|i\.e|e\.g|U\.S|U\.N|U\.K|U\.S\.S\.R|E\.U)"
SPLIT = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]*\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")

def sentences(text):
    # Some transcripts are hard-wrapped: a newline that does not follow
    # sentence-final punctuation is a line wrap, not a paragraph break.
    text = re.sub(r"(?<=\w)-\n(?=\w)", "-", text)
    text = re.sub(r"(?<![.!?:;\"\u201d])\n(?!\n)", " ", text)
    for para in re.split(r"\n+", text):
        para = para.strip()
        if not para:
            continue
        parts = SPLIT.split(para)
        buf = ""
        for p in parts:
            buf = (buf + " " + p).strip() if buf else p
            # re-join splits after abbreviations / initials
            if re.search(r"\b" + ABBREV + r"\.$", buf) or re.search(r"\b[A-Z]\.$", buf):
                continue
            yield " ".join(buf.split())
            buf = ""
        if buf:
            yield " ".join(buf.split())

ESC = re.compile(r"escalat|brink|nuclear (war|catastroph|holocaust|annihilation|confrontation|conflagration)|arms race|spiral|miscalculat|threat(en)?s? (to )?(international |world |regional |global )?(peace|security|stability)|provocat|destabili[sz]|(rising|growing|heightened|mounting|increasing) tension|tensions? (are|is|have been|continue to) (rising|growing|mounting|increasing)|wider war|broader (war|conflict)|spill ?over|confrontation|danger of (a )?(war|conflict|nuclear)|risk of (a )?(war|conflict|nuclear)|pre-?emptive|ultimatum|red line|flashpoint|powder keg|third world war|world war iii|catastroph|on the verge of war|threat of war|dangerous", re.I)
DET = re.compile(r"\bdeter|defen[cs]e posture|strong defen|peace through strength|military (strength|power|might)|readiness|ready to defend|defend (our|its|their|every)|collective defen|attack on one|missile defen|strengthen (our|its|their) (defen|military|armed|forces)|moderni[sz]e (our|its) (forces|military|arsenal)|respond (firmly|decisively|resolutely)|decisive response|consequences|aggressor|maximum pressure|retaliat|our resolve|firm(ness)?\b|vigilan|second to none|strong enough|military superiority|credible|sovereignty and territorial integrity|armed forces|alliance|NATO", re.I)
DIP = re.compile(r"negotiat|dialogue|\btalks\b|treaty|cease-?fire|truce|peace process|mediat|summit|arms control|disarmament|confidence-building|peaceful (settlement|solution|means|resolution)|restraint|de-escalat|diplomac|diplomatic|agreement|cooperat|good offices|reconciliation", re.I)
SEC = re.compile(r"\b(war|wars|military|defen[cs]e|troops|missiles?|weapons?|nuclear|sanctions|army|navy|armed|security|conflict|soldiers|forces|attack|invasion|bomb\w*|terroris\w*)\b", re.I)
TOPIC = re.compile(r"ukrain|crimea|russia|soviet|nato|baltic|korea|pyongyang|china sea|taiwan|iran|israel|syria|kaliningrad|belarus|georgia|balkan|kosovo|kashmir|gulf|iraq|afghan|cuba|berlin|warsaw pact|missile", re.I)

CORPORA = (("ungdc_1946-2024.jsonl.gz", "ungdc"), ("sotu_1790-2026.jsonl.gz", "sotu"))

def iter_docs(corpora, min_year=1945):
    """Every speech from `min_year` on (UN debates, then SOTU), with its
    corpus name in d["source"]."""
    for name, src in CORPORA:
        with gzip.open(f"{corpora}/{name}", "rt", encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                if d["year"] < min_year:
                    continue
                d["source"] = src
                yield d

def ok_sentence(s):
    w = s.split()
    if not (8 <= len(w) <= 70):
        return False
    if not s[0].isupper() and not s[0] in "\"'\u201c":
        return False
    if not s.rstrip("\"'\u201d\u2019)").endswith((".", "!", "?")):
        return False
    if re.search(r"\d{1,3}\.\s*$", s[:4]):  # numbered list fragments
        return False
    return True

def main(corpora, seed_path, out):
    seed_text = open(seed_path, encoding="utf-8").read()
    seed_sents = {s.strip() for s in sentences(seed_text)}
    docs = list(iter_docs(corpora))
    pools = defaultdict(list)  # stratum -> [(doc, year, source, sentence)]
    for d in docs:
        sents = [s for s in sentences(d["text"]) if ok_sentence(s) and s not in seed_sents]
        words = max(1, sum(len(s.split()) for s in sents))
        sec_density = sum(len(SEC.findall(s)) for s in sents) * 1000 / words
        for s in sents:
            row = (d["id"], d["year"], d["source"], s)
            e, t, p = bool(ESC.search(s)), bool(DET.search(s)), bool(DIP.search(s))
            if sec_density >= 8:
                pools["random"].append(row)
            if e: pools["esc"].append(row)
            if t: pools["det"].append(row)
            if p: pools["dip"].append(row)
            if not (e or t or p) and SEC.search(s): pools["hard"].append(row)
    targets = {"random": 2000, "esc": 2000, "det": 1900, "dip": 700, "hard": 600}
    per_doc = Counter()
    seen = set()
    chosen = []
    DOC_CAP = 12
    for stratum in ["random", "esc", "det", "dip", "hard"]:
        pool = pools[stratum][:]
        rng.shuffle(pool)
        if stratum != "random":
            # half of each keyword stratum from the topics users track, and a
            # tilt to post-1990 text and to SOTU for deterrence language
            pool.sort(key=lambda r: -(bool(TOPIC.search(r[3])) * 1.0 + (r[1] >= 1990) * 0.5
                                      + (stratum == "det" and r[2] == "sotu") * 1.0 + rng.random() * 1.6))
        n = 0
        for doc, year, src, s in pool:
            if n >= targets[stratum]:
                break
            if s in seen or per_doc[doc] >= DOC_CAP:
                continue
            seen.add(s); per_doc[doc] += 1; n += 1
            chosen.append((stratum, doc, year, src, s))
    rng.shuffle(chosen)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["cid", "stratum", "source", "doc", "year", "text"])
        for i, (stratum, doc, year, src, s) in enumerate(chosen):
            w.writerow([f"c{i:05d}", stratum, src, doc, year, s])
    print(Counter(c[0] for c in chosen), "docs:", len(per_doc), file=sys.stderr)

if __name__ == "__main__":
    main(*sys.argv[1:4])
