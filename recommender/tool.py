"""The recommender as a langchain-core tool with a typed argument schema: a thin adapter for outside LLMs
(titles in, JSON out). The agent itself calls ``Recommender.recommend`` with a typed ``Query``."""

from __future__ import annotations

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, Field

from catalog import Catalog

from .query import MAX_K, Query
from .service import Recommender, RecommenderError

TOOL_NAME = "recommend_items"
TOOL_DESCRIPTION = (
    "Recommend real catalog items for a user. Use it whenever the user asks for recommendations or for "
    "more, different, older, newer or similar items. Returns items best first, each with a score and the "
    "user's own items that support it."
)


class RecommendInput(BaseModel):
    user_id: int | None = Field(None, description="catalog user id; leave empty for a new user")
    query: str | None = Field(None, description="free-text description of what the user wants")
    genres: list[str] = Field(default_factory=list, description="only items in any of these genres")
    exclude_genres: list[str] = Field(default_factory=list, description="no items in these genres")
    year_min: int | None = Field(None, description="earliest release year")
    year_max: int | None = Field(None, description="latest release year")
    similar_to: list[str] = Field(default_factory=list, description="titles the results should resemble")
    liked: list[int] = Field(default_factory=list, description="item ids the user liked in this session")
    disliked: list[int] = Field(default_factory=list, description="item ids the user disliked in this session")
    exclude: list[int] = Field(default_factory=list, description="item ids not to return (already shown)")
    k: int = Field(20, ge=1, le=MAX_K, description="how many items to return")


def run_tool(recommender: Recommender, catalog: Catalog, args: RecommendInput) -> dict:
    """Resolve titles, call ``recommend`` and describe the result with catalog facts."""
    notes, similar = [], []
    for title in args.similar_to:
        item = catalog.resolve_title(title)
        if item is None:
            notes.append(f"no catalog item is called {title!r}")
        else:
            similar.append(item.id)
    query = Query(user_id=args.user_id, text=args.query, genres=args.genres, exclude_genres=args.exclude_genres,
                  year_min=args.year_min, year_max=args.year_max, similar_to=similar, liked=args.liked,
                  disliked=args.disliked, exclude=args.exclude, k=args.k)
    try:
        result = recommender.recommend(query)
    except RecommenderError as exc:
        return {"items": [], "notes": notes + [str(exc)], "new_user": args.user_id is None}
    items = []
    for candidate in result.candidates:
        item = catalog.item(candidate.item_id)
        items.append({**item.as_dict(), "score": round(candidate.score, 4),
                      "because": [catalog.item(i).label for i in candidate.because],
                      "because_ids": list(candidate.because)})
    return {"items": items, "notes": notes + result.notes,
            "new_user": result.new_user or args.user_id is None}


def make_recommend_tool(recommender: Recommender, catalog: Catalog) -> StructuredTool:
    def recommend_items(**kwargs) -> dict:
        return run_tool(recommender, catalog, RecommendInput(**kwargs))

    return StructuredTool.from_function(func=recommend_items, name=TOOL_NAME, description=TOOL_DESCRIPTION,
                                        args_schema=RecommendInput)
