"""Prompt templates live as files in the ``prompts`` package; this module fills them with langchain-core
and turns them into chat messages. The catalog's domain fills ``{item}``, ``{items}`` and ``{bot_name}``;
user and catalog text is escaped so it cannot close the tags that mark it as data."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from langchain_core.prompts import PromptTemplate

from catalog.domain import Domain

PROMPTS_DIR = files("prompts")  # package data: found the same way from a checkout or an installed wheel


@lru_cache(maxsize=None)
def template(name: str) -> PromptTemplate:
    return PromptTemplate.from_template((PROMPTS_DIR / f"{name}.md").read_text(encoding="utf-8"))


def domain_words(domain: Domain) -> dict[str, str]:
    """What the domain fills in every template."""
    return {"item": domain.item, "items": domain.items, "bot_name": domain.bot_name,
            "item_title": domain.item.capitalize()}


def text(name: str, domain: Domain, **values) -> str:
    """A filled template: the domain's words as they are, every other value escaped as data."""
    words = domain_words(domain)
    needed = set(template(name).input_variables)
    filled = {k: v for k, v in words.items() if k in needed} | {k: as_data(v) for k, v in values.items()}
    return template(name).format(**filled).strip()


def messages(name: str, domain: Domain, **values) -> list[dict]:
    """System prompt plus one user turn built from the named template."""
    return [{"role": "system", "content": text("system", domain)},
            {"role": "user", "content": text(name, domain, **values)}]


def as_data(value) -> str:
    return str(value).replace("<", "‹").replace(">", "›")


@lru_cache(maxsize=None)
def examples(name: str) -> list[tuple[str, ...]]:
    """Rows of a tab-separated examples file in ``prompts/``."""
    lines = (PROMPTS_DIR / f"{name}.tsv").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line.strip()]
