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

# The same documents through the CLI (one JSONL collection): wall time,
# CPU time and sentences/s.
python3 - "$stance" "$out/docs.jsonl" <<'PY' | tee "$out/score.txt"
import resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run([sys.argv[1], "score", "-q", "--format", "jsonl", sys.argv[2]],
                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
wall = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = ru.ru_utime + ru.ru_stime
n = p.stdout.count(b"\n")
print(f"stance score --format jsonl on the same documents: {n} sentences in {wall:.2f} s "
      f"= {n/wall:,.0f} sentences/s; CPU {cpu:.2f} s = {n/cpu:,.0f} sentences per CPU-second")
PY
exit $status
