"""Search over ideas: list search (``q``) and the "similar ideas" hint.

On PostgreSQL both use full-text search with the ``simple`` configuration (no stemming,
so it works the same for every language of the install) and prefix matching, ranked with
``SearchRank`` (title weighted above description). On SQLite — the embedded default — the
list search is a case-insensitive substring match of every word, and similar ideas are
ranked by word overlap computed in Python over the process's most recent ideas.
"""

from __future__ import annotations

import re
from functools import reduce
from operator import and_
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from engagement.content.sanitise import text_of
from engagement.ideas.models import Idea

SEARCH_CONFIG = "simple"
SIMILAR_LIMIT = 5
# SQLite fallback: how many recent ideas are compared word by word.
FALLBACK_CANDIDATES = 1000
MAX_TERMS = 12

_WORD = re.compile(r"\w+", re.UNICODE)

# Words too common to say anything about similarity (English and the install's other
# languages' shortest function words are dropped by length already).
STOPWORDS = frozenset(
    {
        "the", "and", "for", "with", "that", "this", "are", "was", "were", "from", "have",
        "has", "not", "but", "our", "you", "your", "they", "their", "there", "here", "would",
        "should", "could", "will", "can", "all", "any", "more", "some", "into", "about",
        "und", "der", "die", "das", "ein", "eine", "mit", "für", "von", "ist", "nie", "dla",
        "oraz", "jest", "par", "uz", "och", "att", "som", "för", "med", "ja",
    }
)  # fmt: skip


def words(text: str, *, min_length: int = 2) -> list[str]:
    """Lower-cased words of ``text`` (markup removed), in order, without repeats."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text_of(text).casefold()):
        if len(word) >= min_length and not word.isdigit():
            seen.setdefault(word, None)
    return list(seen)[:MAX_TERMS]


def similarity_terms(text: str) -> list[str]:
    return [w for w in words(text, min_length=3) if w not in STOPWORDS]


def using_postgres() -> bool:
    return connection.vendor == "postgresql"


def _vector() -> Any:
    return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "description", weight="B", config=SEARCH_CONFIG
    )


def _prefix_query(terms: list[str], operator: str) -> Any:
    # Terms are \w+ words: nothing in them is tsquery syntax.
    raw = f" {operator} ".join(f"{term}:*" for term in terms)
    return SearchQuery(raw, search_type="raw", config=SEARCH_CONFIG)


def filter_search(ideas: QuerySet[Idea], q: str) -> QuerySet[Idea]:
    """Ideas containing every word of ``q`` (as a word prefix on PostgreSQL)."""
    terms = words(q)
    if not terms:
        return ideas
    if using_postgres():
        return ideas.annotate(search_document=_vector()).filter(
            search_document=_prefix_query(terms, "&")
        )
    return ideas.filter(
        reduce(and_, (Q(title__icontains=t) | Q(description__icontains=t) for t in terms))
    )


def rank_similar(ideas: QuerySet[Idea], text: str, limit: int = SIMILAR_LIMIT) -> list[Idea]:
    """The ``limit`` ideas of ``ideas`` most similar to ``text``, best first."""
    terms = similarity_terms(text)
    if not terms:
        return []
    if using_postgres():
        query = _prefix_query(terms, "|")
        return list(
            ideas.annotate(search_document=_vector(), rank=SearchRank(_vector(), query))
            .filter(search_document=query)
            .order_by("-rank", "-id")[:limit]
        )
    wanted = set(terms)
    scores: dict[int, float] = {}
    for pk, title, description in ideas.order_by("-id").values_list("pk", "title", "description")[
        :FALLBACK_CANDIDATES
    ]:
        in_title = set(words(title, min_length=3))
        in_text = set(words(description, min_length=3)) - in_title
        score = 2 * _overlap(wanted, in_title) + _overlap(wanted, in_text)
        if score:
            scores[pk] = score / len(wanted)
    best = sorted(scores, key=lambda pk: (-scores[pk], -pk))[:limit]
    found = {idea.pk: idea for idea in ideas.filter(pk__in=best)}
    return [found[pk] for pk in best if pk in found]


def _overlap(wanted: set[str], present: set[str]) -> int:
    """Words of ``wanted`` that occur in ``present``, exactly or as a prefix."""
    return sum(1 for w in wanted if w in present or any(p.startswith(w) for p in present))
