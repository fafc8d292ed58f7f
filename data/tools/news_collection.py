"""Writes examples/news-collection.csv: the 85 news articles of the test
split that were labeled whole (data/news-test.csv, selection wire-whole),
reassembled as a collection (one row per article: id, title, source,
date, text; each labeled sentence its own paragraph, the first one as the
title), so that `stance report` can be shown on real news with a known
true share. Run from the repository root: python3 data/tools/news_collection.py
"""
import csv
from collections import OrderedDict

articles = OrderedDict()
with open("data/news-test.csv", newline="") as f:
    for r in csv.DictReader(f):
        if r["selection"] == "wire-whole":
            articles.setdefault(r["doc"], []).append(r)

with open("examples/news-collection.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "title", "source", "date", "text"])
    for doc, rows in articles.items():
        rows.sort(key=lambda r: int(r["id"].rsplit("#s", 1)[1]))
        w.writerow([doc, rows[0]["text"], rows[0]["source"], rows[0]["date"],
                    "\n\n".join(r["text"] for r in rows[1:])])
print(f"{len(articles)} articles")
