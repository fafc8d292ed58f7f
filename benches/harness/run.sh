#!/usr/bin/env bash
# Comparison benchmark: stance against scikit-learn and fastText, in one run
# on one machine with the same data. See benches/harness/README.md.
#
#   bash benches/harness/run.sh             # ~7 minutes on 2 cores
#   bash benches/harness/run.sh --no-sweep  # without the training sweep at
#                                           # --features 2000, 12000, 0 (all)
#
# Environment: BENCH_OUT (default target/bench), BENCH_REPEAT (default 3),
# UNGDC (the whole UN General Debate corpus; skipped if absent).
set -Eeuo pipefail

# Everything is in one function, read whole before it runs, so editing this
# file during a run cannot derail the run.
main() {
    ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    cd "$ROOT"
    HARNESS=benches/harness
    OUT=${BENCH_OUT:-target/bench}
    RES=$OUT/results
    REPEAT=${BENCH_REPEAT:-3}
    VENV=target/bench-venv
    PY=$VENV/bin/python
    UNGDC=${UNGDC:-/work/shared/corpora/ungdc_1946-2024.jsonl.gz}
    SLICE=data/bench/ungdc-slice.jsonl.gz
    TRAIN=data/stance-train.csv
    TEST=data/stance-test.csv
    NPROC=$(nproc)
    SWEEP=1
    [[ "${1:-}" == "--no-sweep" ]] && SWEEP=0

    log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

    # measure NAME CMD... : runs CMD under GNU time; stdout to RES/NAME.out,
    # stderr to RES/NAME.err, wall/CPU/max RSS to RES/NAME.time (JSON).
    # STDOUT=/dev/null discards stdout instead (scoring output).
    measure() {
        local name=$1
        shift
        /usr/bin/time -o "$RES/$name.time" \
            -f '{"wall_s": %e, "user_s": %U, "sys_s": %S, "max_rss_kb": %M, "exit": %x}' \
            "$@" >"${STDOUT:-$RES/$name.out}" 2>"$RES/$name.err"
    }
    trap 'echo "run.sh: failed at line $LINENO: $BASH_COMMAND (see $RES/*.err)" >&2' ERR

    [[ -x /usr/bin/time ]] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }
    rm -rf "$RES"
    mkdir -p "$RES"
    START=$(date +%s)

    log "building stance (release) and the vectorizer-compare helper"
    cargo build --release --quiet
    # A private copy: a concurrent `cargo build` cannot swap the binary mid-run.
    mkdir -p "$OUT"
    cp target/release/stance "$OUT/stance"
    STANCE=$(cd "$OUT" && pwd)/stance
    (cd $HARNESS/vectorizer-compare && CARGO_TARGET_DIR="$ROOT/target" cargo build --release --quiet)

    log "python peers: $VENV"
    if [[ ! -x $PY ]]; then
        python3 -m venv "$VENV"
    fi
    $PY -m pip install --quiet --disable-pip-version-check -r $HARNESS/requirements.txt

    log "machine and versions"
    {
        echo "{"
        echo "\"cpu\": $(lscpu | sed -n 's/^Model name: *//p' | head -1 | $PY -c 'import json,sys; print(json.dumps(sys.stdin.read().strip()))'),"
        echo "\"cores\": $NPROC,"
        echo "\"mem_kb\": $(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo),"
        echo "\"kernel\": \"$(uname -r)\","
        echo "\"rustc\": \"$(rustc --version)\","
        echo "\"python\": \"$($PY -c 'import sys; print(sys.version.split()[0])')\","
        echo "\"sklearn\": \"$($PY -c 'import sklearn; print(sklearn.__version__)')\","
        echo "\"numpy\": \"$($PY -c 'import numpy; print(numpy.__version__)')\","
        echo "\"pystemmer\": \"$($PY -c 'import importlib.metadata as m; print(m.version("PyStemmer"))')\","
        echo "\"fasttext\": \"$($PY -c 'import importlib.metadata as m; print(m.version("fasttext-wheel"))')\","
        echo "\"commit\": \"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src Cargo.toml 2>/dev/null || echo '+uncommitted')\","
        echo "\"load_start\": \"$(cut -d' ' -f1-3 /proc/loadavg)\","
        echo "\"date\": \"$(date -u +%Y-%m-%dT%H:%MZ)\""
        echo "}"
    } >"$RES/env.json"

    log "inputs: sentences of the slice (stance's splitter) and scaling inputs"
    "$STANCE" score --quiet --format jsonl "$SLICE" | $PY $HARNESS/prepare.py "$SLICE" "$OUT" >"$RES/prepare.json"
    SENTENCES=$OUT/sentences.txt

    log "training: stance (default --features 6000)"
    measure train-stance "$STANCE" train "$TRAIN" --test "$TEST" -o "$OUT/stance.model"
    log "training: scikit-learn"
    measure train-sklearn $PY $HARNESS/peers.py sklearn-train "$TRAIN" "$TEST" "$OUT/sklearn.pkl"
    log "training: fastText"
    measure train-fasttext $PY $HARNESS/peers.py fasttext-train "$TRAIN" "$TEST" "$OUT/fasttext.bin"

    log "model load (in process)"
    "$ROOT/target/release/model_load" "$OUT/stance.model" >"$RES/load-stance.json"

    for i in $(seq "$REPEAT"); do
        log "scoring, round $i/$REPEAT: stance"
        STDOUT=/dev/null measure "score-stance-1t.$i" env RAYON_NUM_THREADS=1 "$STANCE" score --quiet --format jsonl -m "$OUT/stance.model" "$SLICE"
        STDOUT=/dev/null measure "score-stance-nt.$i" "$STANCE" score --quiet --format jsonl -m "$OUT/stance.model" "$SLICE"
        STDOUT=/dev/null measure "score-stance-lines-1t.$i" env RAYON_NUM_THREADS=1 "$STANCE" score --quiet --format jsonl --sentences -m "$OUT/stance.model" "$SENTENCES"
        STDOUT=/dev/null measure "score-stance-lines-nt.$i" "$STANCE" score --quiet --format jsonl --sentences -m "$OUT/stance.model" "$SENTENCES"
        log "scoring, round $i/$REPEAT: scikit-learn"
        measure "score-sklearn-1p.$i" $PY $HARNESS/peers.py sklearn-score "$OUT/sklearn.pkl" "$SENTENCES" --procs 1
        measure "score-sklearn-np.$i" $PY $HARNESS/peers.py sklearn-score "$OUT/sklearn.pkl" "$SENTENCES" --procs "$NPROC"
        log "scoring, round $i/$REPEAT: fastText"
        measure "score-fasttext-1p.$i" $PY $HARNESS/peers.py fasttext-score "$OUT/fasttext.bin" "$SENTENCES" --procs 1
        measure "score-fasttext-np.$i" $PY $HARNESS/peers.py fasttext-score "$OUT/fasttext.bin" "$SENTENCES" --procs "$NPROC"
    done
    # stance writes one line per sentence: count them once.
    "$STANCE" score --quiet --format jsonl -m "$OUT/stance.model" "$SLICE" | wc -l >"$RES/stance-sentences.txt"

    log "scaling: stance at ~10, 50 and 200 MB of text"
    for s in 10mb 50mb 200mb; do
        STDOUT=/dev/null measure "scale-$s" "$STANCE" score --quiet --format jsonl -m "$OUT/stance.model" "$OUT/scale-$s.jsonl.gz"
    done
    if [[ -f $UNGDC ]]; then
        log "whole UN corpus: $UNGDC"
        STDOUT=/dev/null measure ungdc-whole "$STANCE" score --quiet --format jsonl "$UNGDC"
    fi

    log "vectorizer comparison: stance vs linfa-preprocessing"
    "$ROOT/target/release/vectorizer-compare" "$TRAIN" >"$RES/vectorizer-compare.json"

    if [[ $SWEEP == 1 ]]; then
        for k in 2000 12000 0; do
            log "training sweep: stance --features $k"
            measure "train-stance-features-$k" "$STANCE" train "$TRAIN" --test "$TEST" --features "$k" -o "$OUT/stance-$k.model"
        done
    fi

    echo "\"$(cut -d' ' -f1-3 /proc/loadavg)\"" >"$RES/load-end.json"
    echo "$(($(date +%s) - START))" >"$RES/harness-seconds.txt"
    log "report"
    $PY $HARNESS/report.py "$RES" | tee "$RES/report.md"
    log "done in $(($(date +%s) - START)) s; raw results in $RES"
}

main "$@"
exit
