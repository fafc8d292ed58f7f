"""Side-by-side timing of `stance report` with and without corrected shares.

Builds a collection of 10,000 article-sized documents (runs of 2 paragraphs
cut from the UN General Debate slice in data/bench/, dated by the speech's
year and a month taken from the document's index, so that --by month has
many groups), then times, alternating, `stance report --by doc` and
`--by month` with two models trained by the same command: the calibrated
one (corrected shares estimated per group) and the same classifier without
calibration (counted ratios only). Prints a Markdown table of medians.

    python3 benches/harness/report_speed.py CALIBRATED.model UNCALIBRATED.model [ROUNDS]
"""
import gzip, json, os, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STANCE = os.path.join(ROOT, "target/release/stance")
OUT = os.path.join(ROOT, "target/bench/report-10k.jsonl")


def build():
    docs = []
    # Runs of 2 paragraphs; a second pass starts one paragraph later, so
    # its documents differ from the first pass's.
    for offset in (0, 1):
        with gzip.open(os.path.join(ROOT, "data/bench/ungdc-slice.jsonl.gz"), "rt") as f:
            for line in f:
                r = json.loads(line)
                paras = [p.strip() for p in r["text"].split("\n\n") if p.strip()]
                for i in range(offset, len(paras), 2):
                    n = len(docs)
                    if n == 10_000:
                        break
                    docs.append({
                        "id": f"{r['id']}-{offset}-{i // 2}",
                        "date": f"{r['year']}-{n % 12 + 1:02d}-01",
                        "text": "\n\n".join(paras[i:i + 2]),
                    })
    with open(OUT, "w") as f:
        for d in docs:
            f.write(json.dumps(d) + "\n")
    return len(docs)


def run(model, by):
    t = time.perf_counter()
    subprocess.run([STANCE, "report", OUT, "--by", by, "-f", "csv", "-m", model, "--quiet"],
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main():
    cal, uncal = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    n = build()
    print(f"{n} documents, {os.path.getsize(OUT) / 1e6:.1f} MB; {rounds} rounds, alternating\n")
    print("| grouping | counted only (s) | with corrected shares (s) | ratio |")
    print("|---|---|---|---|")
    for by in ["doc", "month"]:
        a, b = [], []
        for _ in range(rounds):
            a.append(run(uncal, by))
            b.append(run(cal, by))
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"| --by {by} | {ma:.2f} | {mb:.2f} | {mb / ma:.3f} |")


main()
