#!/usr/bin/env bash
# Load test of `stance serve` on the loopback interface, and `stance score`
# on the same text for comparison. Run from the repository root:
#
#   bash benches/harness/loadtest/run.sh [loadtest options, e.g. --requests 2000]
#
# Builds the release binary and the load test, starts the server on a free
# loopback port, runs the load test against it (bounded in requests and
# time), then stops the server with SIGTERM and checks it exits 0. Writes
# benches/harness/loadtest/out/{loadtest.json,score.txt}.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=benches/harness/loadtest/out
mkdir -p "$out"
cargo build --release --locked --bin stance
cargo build --release --locked --manifest-path benches/harness/loadtest/Cargo.toml
stance=target/release/stance
loadtest=benches/harness/loadtest/target/release/loadtest

"$stance" serve --addr 127.0.0.1:0 2> "$out/server.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  addr=$(grep -o 'http://[0-9.:]*' "$out/server.log" | head -1 | sed 's|http://||') || true
  [ -n "${addr:-}" ] && break
  sleep 0.1
done
[ -n "${addr:-}" ] || { echo "server did not start"; cat "$out/server.log"; exit 1; }

status=0
"$loadtest" --addr "$addr" --server-pid "$pid" --write-jsonl "$out/docs.jsonl" "$@" \
  | tee "$out/loadtest.json" || status=$?

kill -TERM "$pid"
wait "$pid" && echo "server exited 0 after SIGTERM" || { echo "server exit status $?"; status=1; }
trap - EXIT

# The same documents through the CLI (one JSONL collection), for sentences/s.
start=$(date +%s.%N)
n=$("$stance" score -q --format jsonl "$out/docs.jsonl" | wc -l)
end=$(date +%s.%N)
python3 - "$n" "$start" "$end" <<'PY' | tee "$out/score.txt"
import sys
n, a, b = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"stance score --format jsonl on the same documents: {n} sentences in {b-a:.2f} s = {n/(b-a):,.0f} sentences/s")
PY
exit $status
