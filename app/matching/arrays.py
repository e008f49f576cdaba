"""Volunteers and parents as numpy arrays, the input of the vectorised gates and score.

The builders accept any objects with the right attributes: plain ``VolunteerFacts`` /
``ParentFacts`` in tests, database rows in the service. Set-valued fields become boolean
matrices over a vocabulary shared by both sides, so overlaps are matrix products.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from app.domain import TRAINABLE_STAGES, Stage
from app.matching.distance import district, postcode_area
from app.matching.vocab import SLOT_INDEX, SLOTS
from app.stage import stage_on

Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

STAGE_COLUMNS = [str(s) for s in TRAINABLE_STAGES]  # pregnancy, birth, postnatal
STAGE_CODE = {
    Stage.PREGNANCY: 0,
    Stage.BIRTH: 1,
    Stage.POSTNATAL: 2,
    Stage.OVER: 3,
    Stage.UNKNOWN: 4,
}
REMOTE_CONTACT_MODES = frozenset({"phone", "video"})


@dataclass(frozen=True)
class VolunteerFacts:
    """What matching needs to know about one volunteer (no database)."""

    id: int
    status: str = "active"
    dbs_expires_on: date | None = date(2099, 1, 1)
    training_completed_on: date | None = date(2020, 1, 1)
    training_expires_on: date | None = None  # None: the training does not expire
    open_count: int = 0
    max_caseload: int = 3
    stages: Sequence[str] = ("pregnancy", "birth", "postnatal")
    languages: Sequence[str] = ("en",)
    tags: Sequence[str] = ()
    availability: Sequence[str] = ()
    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    travel_km: float | None = None
    remote_only: bool = False
    area_id: int | None = None  # works only for cases of this area (None: anywhere)


@dataclass(frozen=True)
class ParentFacts:
    """What matching needs to know about one parent (no database)."""

    id: int
    due_date: date | None = None
    birth_date: date | None = None
    languages: Sequence[str] = ("en",)
    tags: Sequence[str] = ()
    availability: Sequence[str] = ()
    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    contact_mode: str | None = None
    area_id: int | None = None  # the case's area
    excluded: frozenset[int] = frozenset()  # volunteer ids: declined before, conflict
    previous: frozenset[int] = frozenset()  # volunteer ids who supported this parent before


@dataclass
class Vocab:
    """Codes → column numbers, grown as parents and volunteers are read."""

    languages: dict[str, int] = field(default_factory=dict)
    tags: dict[str, int] = field(default_factory=dict)
    places: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def code(table: dict[str, int], value: str | None) -> int:
        if value is None:
            return -1
        found = table.get(value)
        if found is None:
            found = table[value] = len(table)
        return found


def _matrix(rows: list[list[int]], width: int) -> Bools:
    out = np.zeros((len(rows), max(width, 1)), dtype=np.bool_)
    for i, cols in enumerate(rows):
        if cols:
            out[i, cols] = True
    return out


@dataclass
class Pool:
    """Volunteers as arrays (one entry per volunteer)."""

    ids: Ints
    active: Bools
    dbs_expires: Ints  # date ordinal, -1 = none recorded
    training_done: Ints  # date ordinal, -1 = none recorded
    training_expires: Ints  # date ordinal, NEVER = no renewal date recorded
    open_count: Ints
    max_caseload: Ints
    stages: Bools  # (V, 3)
    languages: Bools  # (V, L)
    tags: Bools  # (V, T)
    availability: Bools  # (V, 21)
    lat: Floats
    lon: Floats
    district: Ints
    area: Ints
    travel_km: Floats  # NaN = use the default
    remote_only: Bools
    area_id: Ints  # the volunteer's area (Area.id), -1 = works anywhere
    raw: list[Any]
    column_of: dict[int, int] = field(default_factory=dict)  # volunteer id → column

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Needs:
    """Parents as arrays (one entry per parent), indexed against one ``Pool``."""

    ids: Ints
    stage: Ints  # STAGE_CODE
    languages: Bools
    has_languages: Bools
    tags: Bools
    availability: Bools
    lat: Floats
    lon: Floats
    district: Ints
    area: Ints
    remote: Bools  # wants phone or video support
    excluded: Bools  # (P, V)
    previous: Bools  # (P, V)
    area_id: Ints  # the case's area (Area.id), -1 = none
    raw: list[Any]

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: Ints) -> Needs:
        """The same parents' arrays for ``rows`` only (in that order)."""
        picked = {
            name: getattr(self, name)[rows] for name in self.__dataclass_fields__ if name != "raw"
        }
        return Needs(**picked, raw=[self.raw[int(r)] for r in rows])


def _ord(day: date | None) -> int:
    return day.toordinal() if day is not None else -1


#: the ordinal of a training that does not expire (no renewal date recorded)
NEVER = date.max.toordinal()


def _area_ids(raw: Sequence[Any]) -> Ints:
    return np.array([-1 if r.area_id is None else r.area_id for r in raw], dtype=np.int64)


def _place(vocab: Vocab, postcode: str | None) -> tuple[int, int]:
    return (
        Vocab.code(vocab.places, district(postcode)),
        Vocab.code(vocab.places, "area:" + a if (a := postcode_area(postcode)) else None),
    )


def build_pool(volunteers: Iterable[Any], vocab: Vocab) -> Pool:
    raw = list(volunteers)
    n = len(raw)
    ids = np.empty(n, dtype=np.int64)
    active = np.empty(n, dtype=np.bool_)
    dbs = np.empty(n, dtype=np.int64)
    training = np.empty(n, dtype=np.int64)
    training_expires = np.empty(n, dtype=np.int64)
    open_count = np.empty(n, dtype=np.int64)
    max_caseload = np.empty(n, dtype=np.int64)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    dist = np.empty(n, dtype=np.int64)
    area = np.empty(n, dtype=np.int64)
    travel = np.full(n, np.nan)
    remote = np.empty(n, dtype=np.bool_)
    area_id = _area_ids(raw)
    stages = np.zeros((n, 3), dtype=np.bool_)
    avail = np.zeros((n, len(SLOTS)), dtype=np.bool_)
    langs: list[list[int]] = []
    tags: list[list[int]] = []
    lang_code, tag_code = vocab.languages, vocab.tags
    for i, v in enumerate(raw):
        ids[i] = v.id
        active[i] = v.status == "active"
        dbs[i] = _ord(v.dbs_expires_on)
        training[i] = _ord(v.training_completed_on)
        renewal = getattr(v, "training_expires_on", None)
        training_expires[i] = NEVER if renewal is None else renewal.toordinal()
        open_count[i] = v.open_count or 0
        max_caseload[i] = v.max_caseload or 0
        if v.latitude is not None and v.longitude is not None:
            lat[i], lon[i] = v.latitude, v.longitude
        dist[i], area[i] = _place(vocab, v.postcode)
        if v.travel_km is not None:
            travel[i] = v.travel_km
        remote[i] = bool(v.remote_only)
        for s in v.stages or ():
            if s in STAGE_COLUMNS:
                stages[i, STAGE_COLUMNS.index(s)] = True
        for slot in v.availability or ():
            j = SLOT_INDEX.get(slot)
            if j is not None:
                avail[i, j] = True
        langs.append([Vocab.code(lang_code, x) for x in v.languages or ()])
        tags.append([Vocab.code(tag_code, x) for x in v.tags or ()])
    return Pool(
        ids=ids,
        active=active,
        dbs_expires=dbs,
        training_done=training,
        training_expires=training_expires,
        open_count=open_count,
        max_caseload=max_caseload,
        stages=stages,
        languages=_matrix(langs, len(lang_code)),
        tags=_matrix(tags, len(tag_code)),
        availability=avail,
        lat=lat,
        lon=lon,
        district=dist,
        area=area,
        travel_km=travel,
        remote_only=remote,
        area_id=area_id,
        raw=raw,
        column_of={int(vid): j for j, vid in enumerate(ids)},
    )


def _widen(matrix: Bools, width: int) -> Bools:
    if matrix.shape[1] >= width:
        return matrix
    pad = np.zeros((matrix.shape[0], width - matrix.shape[1]), dtype=np.bool_)
    return np.hstack([matrix, pad])


def _mark(
    matrix: Bools, pairs: Iterable[tuple[int, int]], row_of: dict[int, int], pool: Pool
) -> None:
    """Set ``matrix[parent row, volunteer column]`` for (parent id, volunteer id) pairs."""
    column = pool.column_of
    rows, cols = [], []
    for parent_id, volunteer_id in pairs:
        i, j = row_of.get(parent_id), column.get(volunteer_id)
        if i is not None and j is not None:
            rows.append(i)
            cols.append(j)
    if rows:
        matrix[rows, cols] = True


def build_needs(
    parents: Iterable[Any],
    pool: Pool,
    vocab: Vocab,
    today: date,
    excluded_pairs: Iterable[tuple[int, int]] | None = None,
    previous_pairs: Iterable[tuple[int, int]] | None = None,
) -> Needs:
    """Parent arrays against ``pool`` (built first with the same ``vocab``).

    Exclusions and previous volunteers come from each parent's ``excluded`` /
    ``previous`` (``ParentFacts``), or, for plain database rows, as (parent id,
    volunteer id) pairs. A previous volunteer who is excluded gets no continuity bonus.
    """
    raw = list(parents)
    pairs_given = excluded_pairs is not None or previous_pairs is not None
    n = len(raw)
    column = pool.column_of
    ids = np.empty(n, dtype=np.int64)
    stage = np.empty(n, dtype=np.int64)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    dist = np.empty(n, dtype=np.int64)
    area = np.empty(n, dtype=np.int64)
    remote = np.empty(n, dtype=np.bool_)
    has_langs = np.empty(n, dtype=np.bool_)
    avail = np.zeros((n, len(SLOTS)), dtype=np.bool_)
    excluded = np.zeros((n, len(pool)), dtype=np.bool_)
    previous = np.zeros((n, len(pool)), dtype=np.bool_)
    langs: list[list[int]] = []
    tags: list[list[int]] = []
    for i, p in enumerate(raw):
        ids[i] = p.id
        stage[i] = STAGE_CODE[stage_on(p.due_date, p.birth_date, today)]
        if p.latitude is not None and p.longitude is not None:
            lat[i], lon[i] = p.latitude, p.longitude
        dist[i], area[i] = _place(vocab, p.postcode)
        remote[i] = p.contact_mode in REMOTE_CONTACT_MODES
        has_langs[i] = bool(p.languages)
        for slot in p.availability or ():
            j = SLOT_INDEX.get(slot)
            if j is not None:
                avail[i, j] = True
        if not pairs_given:
            for vid in p.excluded:
                if (j := column.get(vid)) is not None:
                    excluded[i, j] = True
            for vid in p.previous:
                if (j := column.get(vid)) is not None:
                    previous[i, j] = True
        langs.append([Vocab.code(vocab.languages, x) for x in p.languages or ()])
        tags.append([Vocab.code(vocab.tags, x) for x in p.tags or ()])
    if pairs_given:
        row_of = {int(pid): i for i, pid in enumerate(ids)}
        _mark(excluded, excluded_pairs or (), row_of, pool)
        _mark(previous, previous_pairs or (), row_of, pool)
    previous &= ~excluded
    # Parents may bring codes no volunteer has: widen the pool's matrices to match.
    pool.languages = _widen(pool.languages, max(len(vocab.languages), 1))
    pool.tags = _widen(pool.tags, max(len(vocab.tags), 1))
    return Needs(
        ids=ids,
        stage=stage,
        languages=_matrix(langs, pool.languages.shape[1]),
        has_languages=has_langs,
        tags=_matrix(tags, pool.tags.shape[1]),
        availability=avail,
        lat=lat,
        lon=lon,
        district=dist,
        area=area,
        remote=remote,
        excluded=excluded,
        previous=previous,
        area_id=_area_ids(raw),
        raw=raw,
    )
