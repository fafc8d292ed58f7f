"""Type stubs of the stance package (see __init__.py for the docstrings)."""

from collections.abc import Iterable, Mapping, Sequence
from os import PathLike
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

__version__: str
LABELS: tuple[str, ...]
MAX_WARNINGS: int

class StanceWarning(UserWarning): ...

# A DataFrame (one document per row), a list of texts, or a list of dicts
# keyed like the columns.
Documents = pd.DataFrame | Sequence[str] | Sequence[Mapping[str, Any]] | pd.Series

def load(path: str | PathLike[str] | None = None) -> Model: ...

class Model:
    @property
    def labels(self) -> list[str]: ...
    @property
    def name(self) -> str: ...
    @property
    def card(self) -> dict[str, Any]: ...
    def predict(self, texts: Iterable[str]) -> list[str]: ...
    def predict_proba(self, texts: Iterable[str], *, raw: bool = False) -> npt.NDArray[np.float32]: ...
    def explain(self, text: str, label: str | None = None, k: int = 5) -> dict[str, Any]: ...
    @overload
    def score_documents(
        self,
        docs: Documents,
        *,
        text_col: str = "text",
        id_col: str = "id",
        title_col: str = "title",
        source_col: str = "source",
        date_col: str = "date",
        explain: int = 0,
        raw_probs: bool = False,
        any_language: bool = False,
        output: Literal["records"] = "records",
    ) -> list[dict[str, Any]]: ...
    @overload
    def score_documents(
        self,
        docs: Documents,
        *,
        text_col: str = "text",
        id_col: str = "id",
        title_col: str = "title",
        source_col: str = "source",
        date_col: str = "date",
        explain: int = 0,
        raw_probs: bool = False,
        any_language: bool = False,
        output: Literal["frame"],
    ) -> pd.DataFrame: ...
    @overload
    def report(
        self,
        docs: Documents,
        *,
        by: str = "doc",
        top: int = 0,
        text_col: str = "text",
        id_col: str = "id",
        title_col: str = "title",
        source_col: str = "source",
        date_col: str = "date",
        any_language: bool = False,
        output: Literal["frame"] = "frame",
        csv_safe: bool = False,
    ) -> pd.DataFrame: ...
    @overload
    def report(
        self,
        docs: Documents,
        *,
        by: str = "doc",
        top: int = 0,
        text_col: str = "text",
        id_col: str = "id",
        title_col: str = "title",
        source_col: str = "source",
        date_col: str = "date",
        any_language: bool = False,
        output: Literal["csv"],
        csv_safe: bool = False,
    ) -> str: ...
    @overload
    def report(
        self,
        docs: Documents,
        *,
        by: str = "doc",
        top: int = 0,
        text_col: str = "text",
        id_col: str = "id",
        title_col: str = "title",
        source_col: str = "source",
        date_col: str = "date",
        any_language: bool = False,
        output: Literal["json"],
        csv_safe: bool = False,
    ) -> dict[str, Any]: ...
