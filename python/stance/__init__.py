"""Sentence-level stance framing of news and political text.

Each sentence is labeled ``deterrence``, ``escalation-warning``,
``diplomacy`` or ``neutral`` by the model the ``stance`` command-line tool
ships (embedded in this package), with calibrated probabilities::

    import stance
    model = stance.load()
    model.predict(["Talks resumed in Geneva on Monday."])    # ['diplomacy']
    model.predict_proba(texts)                               # (n, 4) array, columns model.labels
    model.score_documents(df, text_col="text")              # one record per sentence
    model.report(df, by="month")                            # DataFrame, as `stance report --format csv`

The work is done by the Rust library (``stance._stance``), in parallel on
all cores with the GIL released. NumPy is needed for ``predict_proba`` and
pandas for DataFrames; both are imported only when used.
"""

from __future__ import annotations

import io
import json
import math
import numbers
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from . import _stance

__all__ = ["LABELS", "Model", "StanceWarning", "load", "__version__"]

__version__: str = _stance.__version__

#: The four labels, in the column order of every probability array.
LABELS: tuple[str, ...] = ("deterrence", "escalation-warning", "diplomacy", "neutral")

#: Warnings shown one by one per call; the rest are counted in one more.
MAX_WARNINGS = 20


class StanceWarning(UserWarning):
    """A problem with one document that does not stop scoring: an unreadable
    date (the document is kept undated), empty text, a document left out as
    not English, text cut into pieces."""


def load(path: str | None = None) -> Model:
    """Load a model: the shipped one (embedded: no file, no download) by
    default, or a model file written by ``stance train`` / ``stance
    calibrate``.

    Raises ``OSError`` when the file cannot be read and ``ValueError`` when
    it is not a valid stance model, with the message ``stance`` prints.
    """
    if path is not None:
        import os

        path = os.fspath(path)
    return Model(_stance.load(path))


def _warn(messages: list[str]) -> None:
    for m in messages[:MAX_WARNINGS]:
        warnings.warn(m, StanceWarning, stacklevel=3)
    if len(messages) > MAX_WARNINGS:
        warnings.warn(
            f"... and {len(messages) - MAX_WARNINGS} more warnings", StanceWarning, stacklevel=3
        )


def _texts(texts: Any, what: str = "texts") -> list[str]:
    """A list of sentences, checked: a bare string is refused (it would be
    read as a list of characters), and so is an item that is not a str."""
    if isinstance(texts, (str, bytes)):
        raise TypeError(
            f"{what} must be a list of strings, not a single {type(texts).__name__}: "
            f"wrap it in a list ([text])"
        )
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"{what}[{i}] is {type(t).__name__}, not str")
    return texts


def _missing(v: Any) -> bool:
    """None, NaN, pandas.NA or NaT: an absent field."""
    return (
        v is None
        or (isinstance(v, float) and math.isnan(v))
        or type(v).__name__ in ("NAType", "NaTType")
    )


def _field(v: Any, where: str) -> str | None:
    """An optional field (id, title, source, date) as text, or None."""
    if _missing(v):
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        raise TypeError(f"{where} is bool, not str")
    if isinstance(v, numbers.Integral):
        # As JSONL numbers are read: 7 -> "7".
        return str(int(v))
    if isinstance(v, numbers.Real):
        return str(float(v))
    # datetime.date, datetime.datetime, pandas.Timestamp: the day.
    if hasattr(v, "isoformat") and hasattr(v, "year"):
        day = v.date() if hasattr(v, "date") and callable(v.date) else v
        return day.isoformat()
    raise TypeError(f"{where} is {type(v).__name__}, not str")


def _text(v: Any, where: str) -> str:
    """The text field: a str; absent (None, NaN: an empty CSV cell as pandas
    reads it) is empty text."""
    if isinstance(v, str):
        return v
    if _missing(v):
        return ""
    raise TypeError(f"{where} is {type(v).__name__}, not str")


def _is_frame(obj: Any) -> bool:
    return type(obj).__module__.startswith("pandas") and hasattr(obj, "columns")


def _is_series(obj: Any) -> bool:
    return type(obj).__module__.startswith("pandas") and type(obj).__name__ == "Series"


def _documents(
    docs: Any,
    text_col: str,
    id_col: str,
    title_col: str,
    source_col: str,
    date_col: str,
) -> list[tuple[str, str | None, str | None, str | None, str | None, str]]:
    """Documents as the compiled core takes them: (text, id, title, source,
    date, default id) tuples. ``docs`` is a DataFrame (columns named by
    ``*_col``; only the text column is required), a list of texts, or a list
    of dicts with the same keys as the columns."""
    optional = (id_col, title_col, source_col, date_col)
    if _is_frame(docs):
        columns = [str(c) for c in docs.columns]
        if text_col not in docs.columns:
            found = ", ".join(columns)
            raise ValueError(
                f'no "{text_col}" column in the DataFrame (found: {found}); '
                "name the text column with text_col="
            )
        texts = docs[text_col].tolist()
        cols = [docs[c].tolist() if c in docs.columns else None for c in optional]
        index = [str(i) for i in docs.index]
        out = []
        for i, t in enumerate(texts):
            where = f"row {index[i]}"
            fields = [
                None if col is None else _field(col[i], f"{where}, column {name!r}")
                for col, name in zip(cols, optional)
            ]
            out.append(
                (_text(t, f"{where}, column {text_col!r}"), *fields, index[i])
            )
        return out
    if isinstance(docs, (str, bytes)):
        raise TypeError(
            f"docs must be a list of texts or dicts, or a DataFrame, not a single "
            f"{type(docs).__name__}: wrap it in a list ([text])"
        )
    if _is_series(docs):
        docs = docs.tolist()
    if not isinstance(docs, Iterable):
        raise TypeError(
            f"docs must be a list of texts or dicts, or a DataFrame, not {type(docs).__name__}"
        )
    out = []
    for i, d in enumerate(docs):
        if isinstance(d, str):
            out.append((d, None, None, None, None, str(i)))
        elif isinstance(d, Mapping):
            if not isinstance(d.get(text_col), str):
                raise ValueError(f'docs[{i}]: no string field "{text_col}"')
            fields = [_field(d.get(c), f"docs[{i}][{c!r}]") for c in optional]
            out.append((d[text_col], *fields, str(i)))
        else:
            raise TypeError(f"docs[{i}] is {type(d).__name__}, not str or dict")
    return out


class Model:
    """A stance model (from :func:`load`).

    ``labels`` names the columns of :meth:`predict_proba`. ``card`` is the
    model card (training data, parameters, held-out figures), as ``stance
    inspect --json`` prints it.
    """

    def __init__(self, native: Any) -> None:
        self._native = native

    @property
    def labels(self) -> list[str]:
        """The labels, in the column order of :meth:`predict_proba`."""
        return self._native.labels

    @property
    def name(self) -> str:
        """The model file's path, or the embedded model's name."""
        return self._native.name

    @property
    def card(self) -> dict[str, Any]:
        """The model card, as ``stance inspect --json`` prints it."""
        return json.loads(self._native.card_json)

    def __repr__(self) -> str:
        return f"<stance.Model {self.name}>"

    def predict(self, texts: Iterable[str]) -> list[str]:
        """The label of each sentence (the classifier's decision, as
        ``stance score`` gives it), scored in parallel.

        >>> stance.load().predict(["Pyongyang threatened a pre-emptive nuclear strike."])
        ['escalation-warning']
        """
        return self._native.predict(_texts(texts))

    def predict_proba(self, texts: Iterable[str], *, raw: bool = False) -> Any:
        """Calibrated probabilities of each label for each sentence: a
        ``numpy.ndarray`` of shape ``(len(texts), 4)``, dtype float32, columns
        in :attr:`labels` order (``raw=True``: the classifier's own,
        uncalibrated probabilities). Needs NumPy."""
        try:
            import numpy as np
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("predict_proba needs NumPy: pip install numpy") from e
        b = self._native.predict_proba(_texts(texts), raw)
        return np.frombuffer(b, dtype=np.float32).reshape(-1, len(LABELS)).copy()

    def explain(self, text: str, label: str | None = None, k: int = 5) -> dict[str, Any]:
        """One sentence's label, calibrated probabilities and the ``k`` terms
        that pushed it most toward ``label`` (default: its own label), as
        ``stance explain`` shows them: ``{"label", "probs", "toward",
        "terms": [{"term", "stem", "contribution"}, ...]}``."""
        if not isinstance(text, str):
            raise TypeError(f"text is {type(text).__name__}, not str")
        return self._native.explain(text, label, k)

    def score_documents(
        self,
        docs: Any,
        *,
        text_col: str = "text",
        id_col: str = "id",
        title_col: str = "title",
        source_col: str = "source",
        date_col: str = "date",
        explain: int = 0,
        raw_probs: bool = False,
        any_language: bool = False,
        output: str = "records",
    ) -> Any:
        """Split documents into sentences and label every sentence.

        ``docs``: a DataFrame (one document per row: ``text_col`` required,
        ``id_col``, ``title_col``, ``source_col``, ``date_col`` used when
        present), a list of texts, or a list of dicts with those keys. Each
        is read as ``stance score`` reads a CSV/JSONL record: blank fields
        are absent, HTML text is reduced to its article, character
        references are decoded, dates are parsed (an unreadable date gives a
        :class:`StanceWarning` and the document stays undated). A document
        without an id is named by its position (its index label for a
        DataFrame). Documents detected as another language than English are
        left out unless ``any_language``.

        Returns one record per sentence, in order, with the fields of
        ``stance score --format jsonl``: ``doc, sentence, line, field_line,
        text, label, probs, language`` (+ ``raw_probs`` with ``raw_probs``,
        ``top_terms`` with ``explain=k``). ``line`` is the sentence's line
        in its text and ``field_line`` is None (there is no input file).
        ``output="frame"``: a pandas DataFrame with the columns of ``stance
        score --format csv`` instead.
        """
        if output not in ("records", "frame"):
            raise ValueError(f'output must be "records" or "frame", not {output!r}')
        fields = _documents(docs, text_col, id_col, title_col, source_col, date_col)
        records, warns = self._native.score_documents(fields, explain, raw_probs, any_language)
        records = json.loads(records)
        _warn(warns)
        if output == "records":
            return records
        return _records_frame(records, explain > 0, raw_probs)

    def report(
        self,
        docs: Any,
        *,
        by: str = "doc",
        top: int = 0,
        text_col: str = "text",
        id_col: str = "id",
        title_col: str = "title",
        source_col: str = "source",
        date_col: str = "date",
        any_language: bool = False,
        output: str = "frame",
        csv_safe: bool = False,
    ) -> Any:
        """Escalation-language ratios and corrected shares per group, as
        ``stance report`` computes them.

        ``docs`` as for :meth:`score_documents`; ``by``: ``doc``,
        ``source``, ``date``, ``week``, ``month``, ``year`` or a
        comma-separated combination (``"source,month"``).

        ``output="frame"`` (default): a pandas DataFrame with the columns of
        ``stance report --format csv`` (group keys as str columns, empty
        cells as NaN); ``"csv"``: the text ``--format csv`` writes;
        ``"json"``: the dict ``--format json`` writes (with the ``top``
        sentences of each group). Group keys are written as they are;
        ``csv_safe=True`` quotes those a spreadsheet would run as a formula,
        as the CLI does by default.
        """
        if output not in ("frame", "csv", "json"):
            raise ValueError(f'output must be "frame", "csv" or "json", not {output!r}')
        fields = _documents(docs, text_col, id_col, title_col, source_col, date_col)
        report, csv, warns = self._native.report(fields, by, top, any_language, csv_safe)
        _warn(warns)
        report = json.loads(report)
        if output == "json":
            return report
        if output == "csv":
            return csv.decode("utf-8")
        import pandas as pd

        keys = list(report["group_by"])
        header = csv.split(b"\n", 1)[0].decode("utf-8").strip().split(",")
        return pd.read_csv(
            io.BytesIO(csv),
            dtype={k: str for k in keys},
            keep_default_na=False,
            na_values={c: [""] for c in header if c not in keys},
        )


_PROB_COLS = [l.replace("-", "_") for l in LABELS]


def _records_frame(records: list[dict[str, Any]], explain: bool, raw_probs: bool) -> Any:
    """Records as a DataFrame with the columns of ``stance score --format
    csv`` (``top_terms`` holds the list of terms)."""
    import pandas as pd

    cols: dict[str, list[Any]] = {
        c: [r[c] for r in records] for c in ("doc", "sentence", "line", "field_line", "label")
    }
    for l, c in zip(LABELS, _PROB_COLS):
        cols[f"probs_{c}"] = [r["probs"][l] for r in records]
    cols["text"] = [r["text"] for r in records]
    if explain:
        cols["top_terms"] = [r["top_terms"] for r in records]
    if raw_probs:
        for l, c in zip(LABELS, _PROB_COLS):
            cols[f"raw_probs_{c}"] = [r["raw_probs"][l] for r in records]
    cols["language"] = [r["language"] for r in records]
    return pd.DataFrame(cols)
