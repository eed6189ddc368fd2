"""The one place where configuration lives.

Every value has a default, an environment variable and a CLI flag; precedence is
flag > environment > default. Entry points build a ``Settings`` with
``Settings.from_args(parser.parse_args())`` after ``add_arguments(parser, ...)``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent


def _opt(default, env: str, help: str, **extra):
    return field(default=default, metadata={"env": env, "help": help, **extra})


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _opt(REPO_ROOT / "data", "CHATREC_DATA_DIR",
                          "folder for the database, embeddings, trained models and the LLM cache")
    db: Path | None = _opt(None, "CHATREC_DB", "catalog database (default: DATA_DIR/catalog.db)")
    source: str = _opt("ml-100k", "CHATREC_SOURCE",
                       "catalog source: 'ml-100k' or a CSV/JSONL items file")
    interactions: Path | None = _opt(None, "CHATREC_INTERACTIONS",
                                     "optional CSV/JSONL interactions file for a custom catalog")
    mapping: Path | None = _opt(None, "CHATREC_MAPPING",
                                "optional JSON column mapping for a custom catalog")
    ml100k_dir: Path | None = _opt(None, "ML100K_DIR", "directory holding the official MovieLens u.* files")
    recommender: str = _opt("ease", "CHATREC_RECOMMENDER",
                            "collaborative model: ease, itemknn, svd or popularity")
    model: str = _opt("default", "CHATREC_MODEL",
                      "chat LLM: 'default' (packaged 0.5B GGUF), 'qwen-1.5b', 'fake', a .gguf file, "
                      "a transformers checkpoint directory or a hub id")
    llm_url: str | None = _opt(None, "CHATREC_LLM_URL",
                               "OpenAI-compatible endpoint (vLLM, TGI, llama.cpp server); overrides --model")
    device: str = _opt("auto", "CHATREC_DEVICE", "auto, cpu or cuda", choices=["auto", "cpu", "cuda"])
    quantization: str = _opt("auto", "CHATREC_QUANTIZATION",
                             "transformers runtime only: auto (nf4 on CUDA, fp32 on CPU), none, nf4, int8 "
                             "(llama.cpp runs the GGUF's own quantization)",
                             choices=["auto", "none", "nf4", "int8"])
    runtime: str = _opt("auto", "CHATREC_RUNTIME",
                        "auto (llama.cpp for GGUF models on the CPU, transformers on CUDA and for checkpoints), "
                        "llama.cpp or transformers", choices=["auto", "llama.cpp", "transformers"])
    rerank_weight: float = _opt(0.0, "CHATREC_RERANK_WEIGHT",
                                "weight of the LLM's re-rank score against the recommender's (0 keeps its order)")
    generate_intro: bool = _opt(False, "CHATREC_GENERATE_INTRO",
                                "let the LLM write the opening sentence of each list of picks (kept only if it passes "
                                "the fact check; off: made from the request, docs/groundedness.md)")
    intent_prior: bool = _opt(True, "CHATREC_INTENT_PRIOR",
                              "decide with the intent prior learned from prompts/intent_examples.jsonl beside the "
                              "LLM (off: the LLM with cue words)")
    llm_reasons: bool = _opt(False, "CHATREC_LLM_REASONS",
                             "let the LLM reword each pick's reason after the cards are shown (kept only if it passes "
                             "the fact check; about 1 s per pick on a 2-core CPU)")
    max_message_chars: int = _opt(4000, "CHATREC_MAX_MESSAGE_CHARS",
                                  "longer messages are cut to this length; the API refuses any other text field "
                                  "(a query) that is longer")
    max_list_items: int = _opt(20, "CHATREC_MAX_LIST_ITEMS",
                               "the API refuses a list field (genres, titles) with more entries, or with more "
                               "characters in all than a message may have")
    max_request_bytes: int = _opt(1_000_000, "CHATREC_MAX_REQUEST_BYTES",
                                  "the page refuses a request whose body is larger (HTTP 413) before reading it")
    session_idle_days: float = _opt(3.0, "CHATREC_SESSION_IDLE_DAYS",
                                    "a conversation idle this long is deleted and its token stops working")
    private_users: bool = _opt(False, "CHATREC_PRIVATE_USERS",
                               "keep catalog users' histories private: the page offers no catalog user to chat "
                               "as and the API's recommend takes no user_id (for a shop's customers; MovieLens "
                               "is public data)")
    host: str = _opt("127.0.0.1", "CHATREC_HOST", "address the web page listens on")
    port: int = _opt(7860, "CHATREC_PORT", "port the web page listens on")
    share: bool = _opt(False, "CHATREC_SHARE", "ask Gradio for a public share link")

    @property
    def db_path(self) -> Path:
        return Path(self.db) if self.db else Path(self.data_dir) / "catalog.db"

    @property
    def sessions_path(self) -> Path:
        return self.db_path.with_name("sessions.db")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> "Settings":
        env = os.environ if env is None else env
        values = {}
        for f in fields(cls):
            raw = env.get(f.metadata["env"])
            if raw not in (None, ""):
                values[f.name] = _convert(f, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @classmethod
    def from_args(cls, args: argparse.Namespace, env: dict[str, str] | None = None) -> "Settings":
        names = {f.name for f in fields(cls)}
        return cls.from_env(env, **{k: v for k, v in vars(args).items() if k in names})

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)


def _field_type(f: dataclasses.Field) -> type:
    kind = str(f.type)
    if "Path" in kind:
        return Path
    if "int" in kind:
        return int
    if "float" in kind:
        return float
    if "bool" in kind:
        return bool
    return str


def _convert(f: dataclasses.Field, raw: str):
    kind = _field_type(f)
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return kind(raw)


def add_arguments(parser: argparse.ArgumentParser, *names: str) -> argparse.ArgumentParser:
    """Add the named settings as ``--flag`` options whose default is 'unset' (so env still applies)."""
    by_name = {f.name: f for f in fields(Settings)}
    for name in names:
        f = by_name[name]
        flag = "--" + name.replace("_", "-")
        default = "unset" if f.default is None else f.default
        help_text = f"{f.metadata['help']} (default: {default}; env {f.metadata['env']})"
        if _field_type(f) is bool:
            parser.add_argument(flag, action="store_true", default=None, help=help_text)
        else:
            parser.add_argument(flag, type=_field_type(f), default=None, help=help_text,
                                choices=f.metadata.get("choices"))
    return parser
