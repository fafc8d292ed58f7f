"""Tests of the stance Python package against the real `stance` binary.

Run by tests/python.rs (`cargo test --test python`), which builds the
package into a virtual environment and sets STANCE_BIN to the CLI binary
built by the same `cargo test`. Inputs are files of the repository.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import stance

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "examples" / "seed-article.txt"
NEWS = REPO / "examples" / "news-collection.csv"
UN = REPO / "examples" / "collection.csv"
BIN = os.environ.get("STANCE_BIN")


def cli(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    """Runs the real `stance` binary in the repository root."""
    if not BIN:
        pytest.fail("STANCE_BIN is not set: run these tests through `cargo test --test python`")
    r = subprocess.run([BIN, *args], cwd=REPO, capture_output=True, text=True)
    if ok:
        assert r.returncode == 0, f"stance {' '.join(args)} failed:\n{r.stderr}"
    else:
        assert r.returncode != 0, f"stance {' '.join(args)} should have failed"
    return r


def cli_jsonl(*args: str) -> list[dict]:
    out = cli("score", "--quiet", "--format", "jsonl", *args).stdout
    return [json.loads(line) for line in out.splitlines()]


def read_collection(path: Path) -> pd.DataFrame:
    # Every field as the text it is in the file (pandas would read "NA" as missing).
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def model() -> stance.Model:
    return stance.load()


def test_labels_and_card(model):
    assert model.labels == list(stance.LABELS)
    assert model.labels == ["deterrence", "escalation-warning", "diplomacy", "neutral"]
    card = model.card
    inspect = json.loads(cli("inspect", "--json").stdout)
    assert card == inspect


def seed_sentences() -> list[str]:
    return [r["text"] for r in cli_jsonl(str(SEED.relative_to(REPO)))]


def test_predict_and_proba_match_cli_sentences(model, tmp_path):
    sentences = seed_sentences() + [
        "Pyongyang threatened a pre-emptive nuclear strike if the drills go ahead.",
        "Both sides agreed to resume talks in Geneva next week.",
    ]
    f = tmp_path / "sentences.txt"
    f.write_text("\n".join(sentences) + "\n")
    want = cli_jsonl("--sentences", "--raw-probs", str(f))
    assert [r["text"] for r in want] == sentences
    assert model.predict(sentences) == [r["label"] for r in want]
    for raw, key in [(False, "probs"), (True, "raw_probs")]:
        p = model.predict_proba(sentences, raw=raw)
        assert isinstance(p, np.ndarray) and p.shape == (len(sentences), 4)
        assert p.dtype == np.float32 and p.flags.writeable
        cli_p = np.array([[r[key][l] for l in model.labels] for r in want])
        # The CLI writes probabilities rounded to 4 decimals.
        assert np.abs(np.round(p.astype(np.float64), 4) - cli_p).max() < 1e-9
        assert np.allclose(p.sum(axis=1), 1.0, atol=1e-4)
    assert model.predict([]) == []
    assert model.predict_proba([]).shape == (0, 4)
    # Any iterable of str: a tuple, a pandas Series.
    assert model.predict(tuple(sentences[:3])) == model.predict(pd.Series(sentences[:3]))


def test_seed_article_records_identical_to_cli(model):
    rel = str(SEED.relative_to(REPO))
    text = SEED.read_text()
    for args, kw in [
        ([], {}),
        (["--explain", "--raw-probs"], {"explain": 3, "raw_probs": True}),
    ]:
        want = cli_jsonl(rel, *args)
        got = model.score_documents([{"id": rel, "text": text}], **kw)
        assert len(got) == 25
        assert got == want


def check_collection_records(model, path: Path):
    want = cli_jsonl(str(path.relative_to(REPO)), "--explain")
    got = model.score_documents(read_collection(path), explain=3)
    assert len(got) == len(want) > 100
    for g, w in zip(got, want):
        # No input file here: `line` is the sentence's line in its text,
        # which the CLI gives as `field_line` of the record's line.
        assert g["line"] == w["field_line"]
        assert g["field_line"] is None
        g = {k: v for k, v in g.items() if k not in ("line", "field_line")}
        w = {k: v for k, v in w.items() if k not in ("line", "field_line")}
        assert g == w


def test_news_collection_records_identical_to_cli(model):
    check_collection_records(model, NEWS)


def test_un_collection_records_identical_to_cli(model):
    check_collection_records(model, UN)


def test_records_from_list_of_dicts_and_frame_output(model):
    df = read_collection(NEWS).head(5)
    records = model.score_documents(df)
    assert model.score_documents(df.to_dict("records")) == records
    frame = model.score_documents(df, output="frame", raw_probs=True)
    want_cols = cli("score", "--quiet", "--format", "csv", "--raw-probs", str(NEWS.relative_to(REPO))).stdout.splitlines()[0].split(",")
    assert list(frame.columns) == want_cols
    assert len(frame) == len(records)
    assert frame["probs_escalation_warning"].tolist() == [r["probs"]["escalation-warning"] for r in records]


@pytest.mark.parametrize("by", ["doc", "source", "month", "week", "year", "source,month"])
def test_report_identical_to_cli(model, by):
    df = read_collection(NEWS)
    rel = str(NEWS.relative_to(REPO))
    want_csv = cli("report", rel, "--by", by, "--format", "csv").stdout
    assert model.report(df, by=by, output="csv") == want_csv
    want_json = json.loads(cli("report", rel, "--by", by, "--format", "json", "--top", "2").stdout)
    assert model.report(df, by=by, top=2, output="json") == want_json
    frame = model.report(df, by=by)
    keys = by.split(",")
    want = pd.read_csv(io.StringIO(want_csv), dtype={k: str for k in keys})
    pd.testing.assert_frame_equal(frame, want, check_dtype=False)
    assert list(frame.columns) == want_csv.splitlines()[0].split(",")


def test_report_of_seed_article(model):
    rel = str(SEED.relative_to(REPO))
    want = cli("report", rel, "--format", "csv").stdout
    assert model.report([{"id": rel, "text": SEED.read_text()}], output="csv") == want


# ---- bad input: Python exceptions with the CLI's messages ----


def cli_error(*args: str) -> str:
    r = cli(*args, ok=False)
    assert "error" in r.stderr
    return r.stderr


def test_model_file_that_is_not_a_model(tmp_path):
    rel = str(SEED.relative_to(REPO))
    with pytest.raises(ValueError) as e:
        stance.load(SEED)
    assert "not a stance model file" in str(e.value)
    assert str(e.value).replace(str(SEED), rel) in cli_error("score", "--model", rel, rel)
    # A truncated model file.
    good = (REPO / "models" / "stance-default.model").read_bytes()
    cut = tmp_path / "cut.model"
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError) as e:
        stance.load(cut)
    assert "truncated model file" in str(e.value)
    assert str(e.value) in cli_error("score", "--model", str(cut), rel)


def test_missing_model_file(tmp_path):
    missing = tmp_path / "nope.model"
    with pytest.raises(OSError) as e:
        stance.load(str(missing))
    assert str(missing) in str(e.value)
    assert str(e.value) in cli_error("score", "--model", str(missing), str(SEED))


def test_missing_text_column(model, tmp_path):
    f = tmp_path / "notext.csv"
    f.write_text("id,title\na,Hello\n")
    with pytest.raises(ValueError) as e:
        model.score_documents(pd.read_csv(f))
    msg = cli_error("score", str(f))
    for part in ['no "text" column', "(found: id, title)"]:
        assert part in str(e.value) and part in msg
    with pytest.raises(ValueError, match='no "text" column'):
        model.report(pd.read_csv(f))
    with pytest.raises(ValueError, match='no string field "text"'):
        model.score_documents([{"id": "a", "body": "x"}])


def test_non_string_text(model):
    with pytest.raises(TypeError, match=r"row 1, column 'text' is int, not str"):
        model.score_documents(pd.DataFrame({"text": ["Talks resumed.", 7]}))
    with pytest.raises(TypeError, match=r"texts\[1\] is int, not str"):
        model.predict(["Talks resumed.", 7])
    with pytest.raises(TypeError, match="not a single str"):
        model.predict("Talks resumed.")
    with pytest.raises(TypeError, match="not a single str"):
        model.score_documents("Talks resumed.")
    with pytest.raises(TypeError, match=r"docs\[0\] is bytes"):
        model.score_documents([b"Talks resumed."])


def test_bad_grouping(model):
    with pytest.raises(ValueError) as e:
        model.report(["Talks resumed."], by="planet")
    assert str(e.value) in cli_error("report", str(SEED), "--by", "planet")


def test_unreadable_date_warns_like_cli(model, tmp_path):
    f = tmp_path / "dates.csv"
    f.write_text("id,date,text\na,soon,Talks resumed in Geneva.\nb,2024-03-05,Talks resumed.\n")
    cli_msg = cli("score", "--format", "jsonl", str(f)).stderr
    with pytest.warns(stance.StanceWarning) as w:
        rep = model.report(read_collection(f), by="month")
    msgs = [str(x.message) for x in w]
    problem = 'unrecognised date "soon" (document kept without a date)'
    assert problem in cli_msg
    assert msgs == [f'document 0 ("a"): {problem}']
    assert rep["month"].tolist() == ["(no date)", "2024-03"]


def test_duplicate_ids_warn_like_cli(model, tmp_path):
    f = tmp_path / "dup.csv"
    f.write_text("id,text\na,Talks resumed.\na,The drills went ahead.\nb,Talks resumed.\n")
    cli_msg = cli("report", str(f), "--format", "csv").stderr
    with pytest.warns(stance.StanceWarning) as w:
        rep = model.report(read_collection(f))
    msg = '1 document id(s) appear more than once (first: "a", 2 times); their rows merge them'
    assert [str(x.message) for x in w] == [msg]
    assert msg in cli_msg
    assert rep["documents"].tolist() == [2, 1]


def test_numpy_scalars_and_numbers_as_fields(model):
    docs = [{"id": np.int64(7), "text": "Talks resumed.", "source": 3.5}]
    assert model.score_documents(docs)[0]["doc"] == "7"
    assert model.report(docs, by="source")["source"].tolist() == ["3.5"]


def test_dates_as_datetimes(model):
    df = pd.DataFrame(
        {"text": ["Talks resumed.", "Talks resumed."], "date": pd.to_datetime(["2024-03-05", "2024-04-01"])}
    )
    assert model.report(df, by="month")["month"].tolist() == ["2024-03", "2024-04"]


def test_non_english_left_out_unless_asked(model):
    fr = (
        "Les négociations entre les deux pays ont repris lundi à Genève, "
        "après des mois de tensions à la frontière et de menaces réciproques."
    )
    with pytest.warns(stance.StanceWarning, match="not English"):
        assert model.score_documents([fr]) == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        recs = model.score_documents([fr], any_language=True)
    assert recs and recs[0]["language"] == "fra"


def test_explain_matches_cli(model):
    s = "Pyongyang threatened a pre-emptive nuclear strike if the drills go ahead."
    e = model.explain(s)
    out = cli("explain", s).stdout
    assert out.splitlines()[0] == f"label  {e['label']}"
    for t in e["terms"]:
        assert f"+{t['contribution']:.3f}" in out and t["term"] in out
    for l, p in e["probs"].items():
        assert f"{l:<20} {p:.3f}" in out
    assert model.explain(s, label="diplomacy")["toward"] == "diplomacy"
    with pytest.raises(ValueError, match="unknown label"):
        model.explain(s, label="war")


def test_predict_without_numpy_or_pandas():
    code = (
        "import sys; sys.modules['numpy'] = None; sys.modules['pandas'] = None\n"
        "import stance\n"
        "m = stance.load()\n"
        "print(m.predict(['Talks resumed in Geneva.']))\n"
        "print(len(m.score_documents(['Talks resumed. The drills went ahead.'])))\n"
        "try:\n    m.predict_proba(['x'])\nexcept ImportError as e:\n    print('ImportError', e)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["['diplomacy']", "2", "ImportError predict_proba needs NumPy: pip install numpy"]


def test_threads_share_one_model(model):
    # The GIL is released while scoring: threads score concurrently and
    # get the same answers as one call.
    from concurrent.futures import ThreadPoolExecutor

    texts = seed_sentences()
    want = model.predict(texts)
    with ThreadPoolExecutor(4) as ex:
        got = list(ex.map(lambda _: model.predict(texts), range(8)))
    assert all(g == want for g in got)


def test_example_script(tmp_path):
    script = REPO / "examples" / "python_monthly_escalation.py"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    r = subprocess.run(
        [sys.executable, str(script), str(NEWS), str(tmp_path / "plot.png")],
        capture_output=True, text=True, env=env,
    )
    assert r.returncode == 0, r.stderr
    want = pd.read_csv(io.StringIO(cli("report", str(NEWS), "--by", "month", "--format", "csv").stdout))
    lines = r.stdout.splitlines()
    for _, row in want.iterrows():
        line = next(l for l in lines if l.startswith(row["month"]))
        assert f"{100 * row['escalation_share']:.1f}" in line
