"""Escalation language per month in a CSV of news articles, from Python.

    pip install ./python pandas matplotlib
    python examples/python_monthly_escalation.py examples/news-collection.csv escalation.png

The CSV has a `text` column and optional `id`, `title`, `source`, `date`
(as `stance score` reads it). Prints the corrected escalation share per
month with its 95 % interval and, when matplotlib is installed, plots it.
"""

import sys

import pandas as pd

import stance

path = sys.argv[1] if len(sys.argv) > 1 else "examples/news-collection.csv"
out = sys.argv[2] if len(sys.argv) > 2 else "escalation-by-month.png"

articles = pd.read_csv(path, dtype=str, keep_default_na=False)
model = stance.load()

# Every sentence of every article, labeled (a DataFrame: doc, sentence, label, probs_*, text, ...).
sentences = model.score_documents(articles, output="frame")
print(f"{len(articles)} articles, {len(sentences)} sentences")
print(sentences["label"].value_counts().to_string())

# Per month: the escalation share corrected for the classifier's errors,
# with its 95 % interval (the figure to quote), and the counted ratio.
monthly = model.report(articles, by="month").set_index("month")
for month, row in monthly.iterrows():
    print(
        f"{month}  {row.documents:3d} docs  escalation share {100 * row.escalation_share:4.1f}% "
        f"[{100 * row.escalation_share_low:4.1f}-{100 * row.escalation_share_high:4.1f}]  "
        f"counted {100 * row.escalation_ratio:4.1f}%"
    )

try:
    import matplotlib

    matplotlib.use("Agg")
except ImportError:
    print("matplotlib is not installed: no plot")
else:
    dated = monthly.drop(index="(no date)", errors="ignore")
    ax = (100 * dated["escalation_share"]).plot(marker="o", label="corrected share")
    ax.fill_between(
        range(len(dated)),
        100 * dated["escalation_share_low"],
        100 * dated["escalation_share_high"],
        alpha=0.2,
        label="95 % interval",
    )
    ax.set_ylabel("escalation-warning sentences, %")
    ax.set_title("Escalation language per month")
    ax.legend()
    ax.figure.savefig(out, bbox_inches="tight")
    print(f"plot written to {out}")
