"""Writes 1 MiB seed inputs into fuzz/large-seeds/ (not committed), so that
libFuzzer starts from inputs large enough to reach size-dependent code:
real news text (examples/news-collection.csv repeated), a 1 MiB run without
a sentence end, long distinct words, a 1 MiB CSV and JSONL collection, and
a CSV whose quote never closes. Run from the repository root:

    python3 fuzz/make_large_seeds.py
"""
import csv
import io
import json
import os

MB = 1 << 20
OUT = "fuzz/large-seeds"
rows = list(csv.DictReader(open("examples/news-collection.csv", newline="")))
text = "\n\n".join(r["title"] + "\n\n" + r["text"] for r in rows)


def write(target, name, data):
    os.makedirs(f"{OUT}/{target}", exist_ok=True)
    with open(f"{OUT}/{target}/{name}", "wb") as f:
        f.write(data[:MB])


write("split_score", "news.txt", (text * 4).encode())
write("split_score", "run.txt", ("word, another clause and more " * 40000).encode())
write("split_score", "longwords.txt", " ".join("x" * 200 + str(i) for i in range(6000)).encode())
buf = io.StringIO()
w = csv.writer(buf)
w.writerow(["id", "title", "source", "date", "text"])
i = 0
while buf.tell() < MB:
    r = rows[i % len(rows)]
    w.writerow([f"{r['id']}-{i}", r["title"], r["source"], r["date"], r["text"]])
    i += 1
# The first byte is the targets' --skip-invalid switch.
write("csv_reader", "news.csv", b"\x00" + buf.getvalue().encode())
write("csv_reader", "unclosed.csv", b"\x00id,text\n1,\"" + ("x\n" * 600000).encode())
lines, i = [], 0
while sum(map(len, lines)) < MB:
    r = rows[i % len(rows)]
    lines.append(json.dumps({"id": f"{r['id']}-{i}", "title": r["title"], "source": r["source"],
                             "date": r["date"], "text": r["text"]}) + "\n")
    i += 1
write("jsonl_reader", "news.jsonl", b"\x00" + "".join(lines).encode())
print("wrote", OUT)
