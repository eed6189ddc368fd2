import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.recommender_eval import main as evaluate_cli
from recommender.__main__ import main as recommender_cli
from recommender.models import MODELS, make_model
from recommender.query import Query
from recommender.service import Recommender, RecommenderError
from recommender.tool import TOOL_NAME, make_recommend_tool

GENRES = ["Sci-Fi", "Adventure", "Romance", "Drama", "Horror", "Thriller"]


@pytest.fixture(scope="module")
def rec(tiny_catalog, encoder):
    return Recommender.for_catalog(tiny_catalog, "ease", encoder=encoder)


def cluster(catalog, item_id):
    return catalog.item(item_id).title.split()[-1]


def seen_by(catalog, user_id):
    return {item for item, _, _ in catalog.history(user_id)}


@pytest.mark.parametrize("name", list(MODELS))
def test_every_model_recommends_from_the_users_cluster(tiny_catalog, encoder, name):
    rec = Recommender.for_catalog(tiny_catalog, name, encoder=encoder, with_text=False)
    home = {1: "Love", 2: "Fear", 3: "Space"}
    for user in (1, 2, 3):
        result = rec.recommend(Query(user_id=user, k=10))
        assert len(result.candidates) == 10
        assert not set(result.item_ids) & seen_by(tiny_catalog, user)
        if name != "popularity":
            assert [cluster(tiny_catalog, i) for i in result.item_ids[:2]] == [home[user]] * 2


def test_candidates_carry_scores_and_supporting_history(rec, tiny_catalog):
    result = rec.recommend(Query(user_id=3, k=5))
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    for candidate in result.candidates[:3]:
        assert 1 <= len(candidate.because) <= 3
    for candidate in result.candidates:
        assert set(candidate.because) <= seen_by(tiny_catalog, 3)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    user=st.one_of(st.none(), st.integers(1, 35)),
    genres=st.lists(st.sampled_from(GENRES), max_size=2, unique=True),
    exclude_genres=st.lists(st.sampled_from(GENRES), max_size=2, unique=True),
    year_min=st.one_of(st.none(), st.integers(1940, 2000)),
    span=st.one_of(st.none(), st.integers(0, 40)),
    excluded=st.lists(st.integers(1, 36), max_size=5),
    query=st.one_of(st.none(), st.sampled_from(["space travel", "a haunted house", "love"])),
    k=st.integers(1, 40),
)
def test_filters_are_always_respected(rec, tiny_catalog, user, genres, exclude_genres, year_min, span,
                                      excluded, query, k):
    year_max = None if span is None or year_min is None else year_min + span
    result = rec.recommend(Query(user_id=user, text=query, genres=genres, exclude_genres=exclude_genres,
                                 year_min=year_min, year_max=year_max, exclude=excluded, k=k))
    assert len(result.candidates) <= k
    seen = seen_by(tiny_catalog, user) if user else set()
    for item in tiny_catalog.items(result.item_ids):
        assert not genres or set(genres) & set(item.genres)
        assert not set(exclude_genres) & set(item.genres)
        assert year_min is None or item.year >= year_min
        assert year_max is None or item.year <= year_max
        assert item.id not in seen and item.id not in excluded
    assert len(set(result.item_ids)) == len(result.item_ids)
    if len(result.candidates) < k:
        assert result.notes


def test_cold_start_query_finds_matching_text(rec, tiny_catalog):
    result = rec.recommend(Query(text="a haunted house and a killer", k=5))
    assert [cluster(tiny_catalog, i) for i in result.item_ids] == ["Fear"] * 5
    assert not result.new_user and result.candidates[0].because == ()


def test_unknown_user_is_a_new_user_and_says_so(rec):
    result = rec.recommend(Query(user_id=4242, text="starships", k=3))
    assert result.new_user and "4242" in result.notes[0] and len(result.candidates) == 3


def test_unknown_history_ids_are_skipped_and_reported(rec, tiny_catalog):
    result = rec.recommend(Query(history=[1, 2, 999], k=3))
    assert result.skipped_ids == [999] and "999" in " ".join(result.notes)
    assert {cluster(tiny_catalog, i) for i in result.item_ids} == {"Space"}


def test_impossible_filter_says_so(rec):
    result = rec.recommend(Query(user_id=1, genres=["Horror"], year_min=2050))
    assert result.candidates == [] and "no item in the catalog matches" in result.notes[0]
    result = rec.recommend(Query(genres=["Opera"]))
    assert result.candidates == [] and "unknown genre Opera" in result.notes[0]


@pytest.mark.parametrize("k", [0, -1, 101, 2.5])
def test_k_out_of_range_is_refused(rec, k):
    with pytest.raises(RecommenderError, match="k must be"):
        rec.recommend(Query(user_id=1, k=k))


def test_session_likes_and_dislikes_change_the_list_at_once(rec, tiny_catalog):
    before = rec.recommend(Query(user_id=3, k=5))
    love = [i.id for i in tiny_catalog.all_items() if i.title.endswith("Love")
            and i.id not in seen_by(tiny_catalog, 3)][:3]
    after = rec.recommend(Query(user_id=3, liked=love, k=5))
    assert sum(cluster(tiny_catalog, i) == "Love" for i in after.item_ids) > \
        sum(cluster(tiny_catalog, i) == "Love" for i in before.item_ids)
    disliked = before.item_ids[0]
    again = rec.recommend(Query(user_id=3, disliked=[disliked], k=5))
    assert disliked not in again.item_ids


def test_similar_to_pulls_items_of_that_kind(rec, tiny_catalog):
    seed = tiny_catalog.resolve_title("Silver Fear").id
    result = rec.recommend(Query(user_id=3, similar_to=[seed], k=3))
    assert seed not in result.item_ids
    assert [cluster(tiny_catalog, i) for i in result.item_ids] == ["Fear"] * 3


def test_trained_model_is_saved_and_reloaded(tiny_catalog, encoder, monkeypatch):
    Recommender.for_catalog(tiny_catalog, "itemknn", encoder=encoder)
    assert tiny_catalog.path.with_suffix(".itemknn.npz").exists()
    monkeypatch.setattr(MODELS["itemknn"], "fit", lambda *a: pytest.fail("retrained instead of reloading"))
    Recommender.for_catalog(tiny_catalog, "itemknn", encoder=encoder)


def test_unknown_model_name_is_refused(tiny_catalog):
    with pytest.raises(RecommenderError, match="unknown recommender model"):
        Recommender.for_catalog(tiny_catalog, "lightgcn")
    with pytest.raises(ValueError):
        make_model("lightgcn")


def test_langchain_tool_has_a_typed_schema_and_resolves_titles(rec, tiny_catalog):
    tool = make_recommend_tool(rec, tiny_catalog)
    assert tool.name == TOOL_NAME
    schema = tool.args
    assert schema["k"]["type"] == "integer" and "genres" in schema and "similar_to" in schema
    out = tool.invoke({"user_id": 1, "genres": ["Romance"], "k": 4, "similar_to": ["Silvr Love", "Casablanca"]})
    assert len(out["items"]) == 4 and all("Romance" in i["genres"] for i in out["items"])
    assert any("Casablanca" in n for n in out["notes"])
    assert {"id", "title", "year", "genres", "score", "because"} <= set(out["items"][0])
    with pytest.raises(Exception):
        tool.invoke({"k": 0})


def test_recommend_cli_prints_json_and_refuses_bad_input(tiny_settings, tiny_catalog, capsys):
    args = ["--db", str(tiny_catalog.path), "--data-dir", str(tiny_settings.data_dir)]
    assert recommender_cli(["recommend", '{"user_id": 1, "k": 2}', *args]) == 0
    assert len(json.loads(capsys.readouterr().out)["items"]) == 2
    assert recommender_cli(["recommend", '{"k": 500}', *args]) == 1
    assert "error:" in capsys.readouterr().err


@pytest.mark.real
def test_default_model_beats_popularity_and_lightgcn_on_ml100k(ml100k_settings, ml100k_catalog, capsys):
    args = ["--db", str(ml100k_catalog.path), "--data-dir", str(ml100k_settings.data_dir)]
    assert evaluate_cli(["evaluate", "--json", *args]) == 0
    result = json.loads(capsys.readouterr().out)
    models = result["splits"]["random"]["models"]
    default = result["default"]
    assert set(models) == set(MODELS) and set(result["splits"]) == {"random", "temporal"}
    assert {"precision@5", "recall@5", "ndcg@5", "ndcg@10", "ndcg@20", "hr@20", "coverage"} <= set(models[default])
    for split in result["splits"].values():
        assert split["models"][default]["ndcg@5"] > split["models"]["popularity"]["ndcg@5"]
    assert models[default]["ndcg@5"] > 0.3425  # LightGCN in Chat-REC's table
    assert models[default]["ndcg@5"] == max(m["ndcg@5"] for m in models.values())


@pytest.mark.real
def test_minilm_cold_start_on_ml100k(ml100k_catalog):
    rec = Recommender.for_catalog(ml100k_catalog, "ease")
    result = rec.recommend(Query(text="science fiction space adventure", k=5))
    genres = [ml100k_catalog.item(i).genres for i in result.item_ids]
    assert sum("Sci-Fi" in g for g in genres) >= 3
    ids = np.array(result.item_ids)
    assert len(np.unique(ids)) == 5
