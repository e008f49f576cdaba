"""Suggested volunteers for one parent, explained, and the facts every matching service reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Select

from app.domain import Stage
from app.extensions import SessionLike
from app.matching import queries
from app.matching.arrays import ParentFacts, build_needs
from app.matching.gates import GATE_LABELS, count_excluded
from app.matching.pool_cache import volunteer_pool
from app.matching.scoring import (
    SETTINGS_DEFAULTS,
    SETTINGS_KEY,
    PartExplained,
    Weights,
    evaluate,
    explain,
    shared_languages,
)
from app.models import Case, Parent
from app.settings import get_settings
from app.stage import stage_on
from app.timeutil import local_date


def load_weights(session: SessionLike) -> Weights:
    return Weights.from_settings(get_settings(session, SETTINGS_KEY, SETTINGS_DEFAULTS))


def parent_facts(
    session: SessionLike,
    parents: Sequence[Any],
    ids_query: Select[Any] | None = None,
    area_ids: Sequence[int | None] | None = None,
) -> list[ParentFacts]:
    """Parents (models or rows with the same names) with their exclusions and previous
    volunteers (two queries in all). ``ids_query`` may select the same parents' ids, which
    is better than binding thousands of ids. ``area_ids`` are the areas of the cases
    matched, one per parent (by default each parent's own ``area_id``)."""
    areas = list(area_ids) if area_ids is not None else [p.area_id for p in parents]
    ids: list[int] | Select[Any] = ids_query if ids_query is not None else [p.id for p in parents]
    excluded = queries.exclusions_for(session, ids)
    previous = queries.previous_volunteers_for(session, ids)
    return [
        ParentFacts(
            id=p.id,
            due_date=p.due_date,
            birth_date=p.birth_date,
            languages=tuple(p.languages or ()),
            tags=tuple(p.tags or ()),
            availability=tuple(p.availability or ()),
            postcode=p.postcode,
            latitude=p.latitude,
            longitude=p.longitude,
            contact_mode=p.contact_mode,
            area_id=area,
            excluded=frozenset(excluded.get(p.id, ())),
            previous=frozenset(previous.get(p.id, ())) - frozenset(excluded.get(p.id, ())),
        )
        for p, area in zip(parents, areas, strict=True)
    ]


@dataclass(frozen=True)
class Suggestion:
    volunteer_id: int
    name: str
    email: str
    score: float
    parts: list[PartExplained]
    languages: str


@dataclass(frozen=True)
class Suggestions:
    parent_id: int
    stage: Stage
    items: list[Suggestion]
    excluded: dict[str, int]
    considered: int

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())

    def excluded_in_words(self) -> list[tuple[str, int]]:
        return [(GATE_LABELS[g], n) for g, n in self.excluded.items()]


def suggest(
    session: SessionLike,
    now: datetime,
    parent: Parent,
    limit: int = 10,
    current_volunteer_id: int | None = None,
    case: Case | None = None,
) -> Suggestions:
    """The best ``limit`` volunteers for ``parent``, explained, and who was excluded why.

    Matching keeps to the area of ``case`` (by default the parent's newest open case, else
    the parent's own area). The volunteer supporting the parent now
    (``current_volunteer_id``) is left out: they are neither suggested nor counted.
    """
    today = local_date(now)
    weights = load_weights(session)
    pool, vocab = volunteer_pool(session)
    if case is None:
        case = queries.newest_open_case(session, parent.id)
    area_id = case.area_id if case is not None else parent.area_id
    needs = build_needs(parent_facts(session, [parent], area_ids=[area_id]), pool, vocab, today)
    evaluation = evaluate(needs, pool, today, weights)
    keep = pool.ids != (current_volunteer_id if current_volunteer_id is not None else -1)
    allowed = np.flatnonzero(evaluation.allowed[0] & keep)
    totals = evaluation.total[0, allowed]
    # Best score first; ties by fewer open assignments, then id, so the order is stable.
    order = np.lexsort((pool.ids[allowed], pool.open_count[allowed], -np.round(totals, 6)))
    shown = [int(allowed[k]) for k in order[:limit]]
    names = queries.names_for(session, [int(pool.ids[col]) for col in shown])
    items = []
    for col in shown:
        row = pool.raw[col]
        name, email = names.get(int(row.id), ("", ""))
        items.append(
            Suggestion(
                volunteer_id=int(row.id),
                name=name,
                email=email,
                score=float(evaluation.total[0, col]),
                parts=explain(needs, pool, evaluation, weights, 0, col),
                languages=shared_languages(needs.raw[0], row),
            )
        )
    return Suggestions(
        parent_id=parent.id,
        stage=stage_on(parent.due_date, parent.birth_date, today),
        items=items,
        excluded=count_excluded(evaluation.gate[0][keep]),
        considered=int(keep.sum()),
    )
