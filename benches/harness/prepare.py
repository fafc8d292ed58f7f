#!/usr/bin/env python3
"""Benchmark inputs, written under OUT (default target/bench):

  sentences.txt     the sentences of data/bench/ungdc-slice.jsonl.gz as
                    stance splits them (read from `stance score --format
                    jsonl` on stdin), one per line: the peers' input
  scale-10mb.jsonl.gz   the first speeches of the slice, ~10 MB of text
  scale-50mb.jsonl.gz   the slice repeated to ~50 MB of text
  scale-200mb.jsonl.gz  the slice repeated to ~200 MB of text

Repeated speeches get the id suffix `#rN` so every document id is unique.

  stance score --quiet --format jsonl SLICE | prepare.py SLICE OUT
"""
import gzip
import json
import os
import sys


def main():
    slice_path, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    n = 0
    with open(os.path.join(out, "sentences.txt"), "w", encoding="utf-8") as f:
        for line in sys.stdin:
            text = json.loads(line)["text"]
            f.write(text.replace("\n", " ") + "\n")
            n += 1
    docs = []
    with gzip.open(slice_path, "rt", encoding="utf-8") as f:
        for line in f:
            docs.append(json.loads(line))
    total = sum(len(d["text"].encode("utf-8")) for d in docs)
    sizes = {}
    for name, target in (("scale-10mb", 10e6), ("scale-50mb", 50e6), ("scale-200mb", 200e6)):
        path = os.path.join(out, name + ".jsonl.gz")
        written = ndocs = 0
        rep = 0
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as f:
            while written < target:
                for d in docs:
                    if written >= target:
                        break
                    d2 = dict(d)
                    if rep:
                        d2["id"] = f"{d['id']}#r{rep}"
                    f.write(json.dumps(d2, ensure_ascii=False) + "\n")
                    written += len(d["text"].encode("utf-8"))
                    ndocs += 1
                rep += 1
        sizes[name] = {"text_bytes": written, "documents": ndocs, "repeats_of_slice": round(written / total, 2)}
    print(json.dumps({"sentences": n, "slice_documents": len(docs), "slice_text_bytes": total, "scaling_inputs": sizes}))


if __name__ == "__main__":
    main()
