"""Prompt templates live as files in ``prompts/``; this module loads them with langchain-core and turns
them into chat messages. User and catalog text is escaped so it cannot close the tags that mark it as data."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from langchain_core.prompts import PromptTemplate

PROMPTS_DIR = files("prompts")  # package data: found the same way from a checkout or an installed wheel


@lru_cache(maxsize=None)
def template(name: str) -> PromptTemplate:
    return PromptTemplate.from_template((PROMPTS_DIR / f"{name}.md").read_text(encoding="utf-8"))


def text(name: str, **values) -> str:
    """A filled template (values are escaped as data)."""
    return template(name).format(**{k: as_data(v) for k, v in values.items()}).strip()


def messages(name: str, **values) -> list[dict]:
    """System prompt plus one user turn built from the named template."""
    return [{"role": "system", "content": text("system")}, {"role": "user", "content": text(name, **values)}]


def as_data(value) -> str:
    return str(value).replace("<", "‹").replace(">", "›")


@lru_cache(maxsize=None)
def examples(name: str) -> list[tuple[str, ...]]:
    """Rows of a tab-separated examples file in ``prompts/``."""
    lines = (PROMPTS_DIR / f"{name}.tsv").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line.strip()]
