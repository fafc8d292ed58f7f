"""The compiled core (Rust, PyO3). Use the `stance` package's API instead."""

from typing import Any

__version__: str
MAX_DOCUMENT_BYTES: int

# (text, id, title, source, date, default_id)
_Fields = tuple[str, str | None, str | None, str | None, str | None, str]

def load(path: str | None = None) -> NativeModel: ...

class NativeModel:
    @property
    def name(self) -> str: ...
    @property
    def labels(self) -> list[str]: ...
    @property
    def card_json(self) -> str: ...
    def predict(self, texts: list[str]) -> list[str]: ...
    def predict_proba(self, texts: list[str], raw: bool = False) -> bytes: ...
    def explain(self, text: str, label: str | None = None, k: int = 5) -> dict[str, Any]: ...
    def score_documents(
        self, docs: list[_Fields], explain: int = 0, raw_probs: bool = False, any_language: bool = False
    ) -> tuple[bytes, list[str]]: ...
    def report(
        self,
        docs: list[_Fields],
        by: str = "doc",
        top: int = 0,
        any_language: bool = False,
        csv_safe: bool = False,
    ) -> tuple[str, bytes, list[str]]: ...
