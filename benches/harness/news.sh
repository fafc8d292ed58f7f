#!/usr/bin/env bash
# Quality on news, side by side (issue 8): stance trained with the shipped
# model's command, scikit-learn and fastText trained on the same CSVs (each
# with a small grid chosen on the news dev split), all evaluated on the
# news test split (all rows, and its whole articles) and the speech test
# split. About 10 minutes on 2 cores. Results in target/bench/news/.
#
#   bash benches/harness/news.sh            # the table of BENCHMARKS.md "News"
#   bash benches/harness/news.sh --sweep    # also the dev-split sweep of settings
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${BENCH_OUT:-target/bench}/news
mkdir -p "$OUT"
VENV=target/bench-venv
[[ -x $VENV/bin/python ]] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r benches/harness/requirements.txt; }
cargo build --release --locked -q
STANCE=target/release/stance
TRAIN=(data/stance-train.csv data/news-train.csv)
SHIPPED=(--class-weight balanced --balance-power 0.5 --features 30000
         --prior-from data/news-train.csv --prior-power 0.25 --calibrate data/news-dev.csv)

/usr/bin/time -v -o "$OUT/train.time" "$STANCE" train "${TRAIN[@]}" "${SHIPPED[@]}" \
    --test data/news-test.csv --test data/stance-test.csv -o "$OUT/stance.model" | tee "$OUT/train.txt"
for split in news-test stance-test; do
    "$STANCE" eval "data/$split.csv" -m "$OUT/stance.model" --format json > "$OUT/stance-$split.json"
done
"$STANCE" eval data/news-test.csv -m "$OUT/stance.model" --where selection=wire-whole --format json \
    > "$OUT/stance-news-test-whole.json"
"$VENV/bin/python" benches/harness/quality.py --train "${TRAIN[@]}" --dev data/news-dev.csv \
    --test data/news-test.csv data/stance-test.csv > "$OUT/peers.jsonl"
"$VENV/bin/python" - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
s = json.load(open(f"{out}/stance-news-test.json"))
w = json.load(open(f"{out}/stance-news-test-whole.json"))
sp = json.load(open(f"{out}/stance-stance-test.json"))
f1 = {p["label"]: p["f1"] for p in s["per_class"]}
gap = max(abs(v["true"] - v["predicted"]) for v in s["shares"].values())
rows = [("stance", s["macro_f1"], f1["escalation-warning"], w["documents"]["escalation_ratio_mae"], gap, sp["macro_f1"])]
for line in open(f"{out}/peers.jsonl"):
    p = json.loads(line)
    m, t = p["test"]["data/news-test.csv"], p["test"]["data/stance-test.csv"]
    g = max(abs(v["true"] - v["predicted"]) for v in m["shares"].values())
    rows.append((p["tool"], m["macro_f1"], m["f1"]["escalation-warning"], m["escalation_ratio_mae"], g, t["macro_f1"]))
print("| tool | news macro-F1 | news escalation F1 | whole-article esc-ratio MAE | largest share gap | speech macro-F1 |")
print("|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r[0]} | {r[1]:.3f} | {r[2]:.3f} | {r[3]:.3f} | {100*r[4]:.1f} | {r[5]:.3f} |")
PY
if [[ ${1:-} == --sweep ]]; then
    S=data/stance-train.csv N=data/news-train.csv
    python3 benches/harness/sweep.py "$STANCE" "$OUT/sweep.jsonl" --dev data/news-dev.csv -- \
        "balanced f6000:files=$S+$N:args=--class-weight balanced" \
        "bp0.5 f12000:files=$S+$N:args=--class-weight balanced --balance-power 0.5 --features 12000" \
        "bp0.5 f30000:files=$S+$N:args=--class-weight balanced --balance-power 0.5 --features 30000" \
        "shipped:files=$S+$N:args=${SHIPPED[*]}"
fi
