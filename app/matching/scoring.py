"""The score: 0-100, a weighted sum of explainable parts.

Each part is a fraction between 0 and 1, worth ``weight / sum(weights) x 100`` points:

* ``stage``        — share of the parent's stages from now on (e.g. birth and postnatal for a
  parent in the birth stage; all three when the stage is unknown) the volunteer is trained
  for, so one volunteer can stay with the parent all the way;
* ``distance``     — ``1 - km / travel radius`` for face-to-face support; full marks when the
  parent asked for phone or video; half when the volunteer only supports remotely and the
  parent did not ask for that; nothing when the distance is not known;
* ``availability`` — share of the parent's preferred times (weekday x morning/afternoon/
  evening) the volunteer is free; half marks when the parent gave no times;
* ``experience``   — share of the parent's needs/experience tags the volunteer shares; half
  marks when the parent has none recorded;
* ``continuity``   — full marks for a volunteer who supported this parent before;
* ``workload``     — share of the volunteer's caseload still free (spreads the work).

``explain`` turns one pair's parts into sentences a coordinator understands.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from app.matching.arrays import STAGE_COLUMNS, Needs, Pool
from app.matching.distance import describe_km, estimated_km
from app.matching.gates import (
    PASSED,
    gate_matrix,
    overlap_counts,
    remote_support,
    travel_radius,
)
from app.matching.vocab import SLOTS, language_label, slot_label, tag_label, words_list

PARTS = ("stage", "distance", "availability", "experience", "continuity", "workload")
PART_LABELS = {
    "stage": "Stage fit",
    "distance": "Distance",
    "availability": "Times that suit",
    "experience": "Shared experience",
    "continuity": "Supported this parent before",
    "workload": "Workload balance",
}
DEFAULT_WEIGHTS = {
    "stage": 20,
    "distance": 20,
    "availability": 20,
    "experience": 20,
    "continuity": 10,
    "workload": 10,
}
DEFAULT_TRAVEL_KM = 10.0
SETTINGS_KEY = "matching"
SETTINGS_DEFAULTS: dict[str, Any] = {
    **{f"weight_{part}": weight for part, weight in DEFAULT_WEIGHTS.items()},
    "default_travel_km": DEFAULT_TRAVEL_KM,
}
NEUTRAL = 0.5  # nothing to compare: neither helps nor hurts

# Rows of REMAINING: which stages lie ahead of a parent in each stage code.
REMAINING = np.array(
    [
        [1, 1, 1],  # pregnancy
        [0, 1, 1],  # birth
        [0, 0, 1],  # postnatal
        [0, 0, 0],  # over
        [1, 1, 1],  # unknown
    ],
    dtype=np.float64,
)
STAGE_WORDS = ["pregnancy", "birth", "postnatal"]


@dataclass(frozen=True)
class Weights:
    values: dict[str, float]
    default_travel_km: float = DEFAULT_TRAVEL_KM

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Weights:
        values = {
            part: float(settings.get(f"weight_{part}", DEFAULT_WEIGHTS[part])) for part in PARTS
        }
        km = float(settings.get("default_travel_km", DEFAULT_TRAVEL_KM))
        return cls(values, km)

    @classmethod
    def default(cls) -> Weights:
        return cls({k: float(v) for k, v in DEFAULT_WEIGHTS.items()})

    def points(self) -> dict[str, float]:
        """Most points each part can give (adds up to 100)."""
        total = sum(max(w, 0.0) for w in self.values.values())
        if total <= 0:
            return {part: 100.0 / len(PARTS) for part in PARTS}
        return {part: max(self.values[part], 0.0) * 100.0 / total for part in PARTS}


class _Parts(Mapping[str, Any]):
    """Points per part, ``fraction x most points``, computed only when asked for."""

    def __init__(self, fractions: dict[str, Any], maxima: dict[str, float]) -> None:
        self._fractions, self._maxima = fractions, maxima
        self._done: dict[str, npt.NDArray[np.float64]] = {}

    def __getitem__(self, name: str) -> npt.NDArray[np.float64]:
        if name not in self._done:
            self._done[name] = np.asarray(self._fractions[name] * self._maxima[name], np.float64)
        return self._done[name]

    def __iter__(self) -> Iterator[str]:
        return iter(PARTS)

    def __len__(self) -> int:
        return len(PARTS)

    def at(self, name: str, row: int, col: int) -> float:
        """One pair's points for one part (without building the whole matrix)."""
        return float(self._fractions[name][row, col]) * self._maxima[name]


@dataclass
class Evaluation:
    """Gates and score for every parent (rows) x volunteer (columns).

    ``fractions`` hold each part as a 0-1 matrix (``workload`` a broadcast row,
    ``continuity`` booleans); ``parts`` gives points per part on demand; ``total`` is
    the score.
    """

    gate: npt.NDArray[np.int8]
    fractions: dict[str, Any]
    parts: _Parts
    total: npt.NDArray[np.float64]
    km: npt.NDArray[np.float64]
    from_coords: npt.NDArray[np.bool_]
    radius: npt.NDArray[np.float64]

    @cached_property
    def allowed(self) -> npt.NDArray[np.bool_]:
        return self.gate == PASSED


def _share_of(
    overlap: npt.NDArray[np.uint8], wanted: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """overlap / wanted per row as floats, NEUTRAL where the parent wanted nothing."""
    out = np.multiply(overlap, (1.0 / np.maximum(wanted, 1))[:, None], dtype=np.float64)
    out[wanted <= 0, :] = NEUTRAL
    return out


def evaluate(needs: Needs, pool: Pool, today: date, weights: Weights) -> Evaluation:
    """Gates, the parts (as fractions; points on demand) and the total for every pair.

    Everything is whole-matrix numpy: set overlaps (availability, experience) are
    byte-packed ``&`` plus population counts, the stage part a lookup in a 5 x V table,
    distances one matrix product.
    """
    km, from_coords = estimated_km(
        needs.lat, needs.lon, needs.district, needs.area,
        pool.lat, pool.lon, pool.district, pool.area,
    )  # fmt: skip
    radius = travel_radius(pool, weights.default_travel_km)
    gate = gate_matrix(needs, pool, today, km, radius)

    # Stage: a table per parent stage code (5 x V), gathered per parent.
    trained = pool.stages.astype(np.float64)
    wanted_stages = REMAINING.sum(axis=1)
    stage_table = (REMAINING @ trained.T) / np.maximum(wanted_stages, 1.0)[:, None]
    stage_table[wanted_stages <= 0, :] = NEUTRAL
    stage_table[3, :] = 0.0  # past the 1001 days
    stage = stage_table[needs.stage]

    distance = km * (-1.0 / np.maximum(radius, 0.1))[None, :]
    distance += 1.0
    np.clip(distance, 0.0, 1.0, out=distance)
    distance[np.isnan(distance)] = 0.0  # distance not known
    distance[:, pool.remote_only] = NEUTRAL
    distance[needs.remote, :] = 1.0

    availability = _share_of(
        overlap_counts(needs.availability, pool.availability),
        needs.availability.sum(axis=1),
    )
    experience = _share_of(overlap_counts(needs.tags, pool.tags), needs.tags.sum(axis=1))

    spare = np.where(
        pool.max_caseload > 0,
        (pool.max_caseload - pool.open_count) / np.maximum(pool.max_caseload, 1),
        0.0,
    )
    spare = np.clip(spare, 0.0, 1.0)
    workload = np.broadcast_to(spare[None, :], gate.shape)

    fractions: dict[str, Any] = {
        "stage": stage,
        "distance": distance,
        "availability": availability,
        "experience": experience,
        "continuity": needs.previous,
        "workload": workload,
    }
    maxima = weights.points()
    total = stage * maxima["stage"]
    scratch = np.empty_like(total)
    for name, matrix in (
        ("distance", distance),
        ("availability", availability),
        ("experience", experience),
    ):
        np.multiply(matrix, maxima[name], out=scratch)
        total += scratch
    total += (spare * maxima["workload"])[None, :]
    if needs.previous.any():
        total[needs.previous] += maxima["continuity"]
    return Evaluation(gate, fractions, _Parts(fractions, maxima), total, km, from_coords, radius)


@dataclass(frozen=True)
class PartExplained:
    name: str
    label: str
    points: float
    max_points: float
    words: str


def explain(
    needs: Needs, pool: Pool, evaluation: Evaluation, weights: Weights, row: int, col: int
) -> list[PartExplained]:
    """Every part of one pair's score, with points and a sentence."""
    parent, volunteer = needs.raw[row], pool.raw[col]
    maxima = weights.points()
    words: dict[str, str] = {}

    stage_code = int(needs.stage[row])
    trained = [s for s in STAGE_WORDS if s in (volunteer.stages or ())]
    ahead = [STAGE_WORDS[i] for i in range(3) if REMAINING[stage_code][i]]
    covered = [s for s in ahead if s in trained]
    if stage_code == 4:
        words["stage"] = (
            f"Parent's stage not known yet; trained for {words_list(trained) or 'no stage'}"
        )
    elif covered == ahead:
        words["stage"] = f"Trained for every stage ahead ({words_list(ahead)})"
    else:
        words["stage"] = f"Trained for {words_list(covered) or 'none'} of {words_list(ahead)}"

    remote_pair = bool(remote_support(needs, pool)[row, col])
    km = float(evaluation.km[row, col])
    distance_words = describe_km(km, bool(evaluation.from_coords[row, col]))
    radius = float(evaluation.radius[col])
    if needs.remote[row]:
        words["distance"] = (
            f"Parent prefers {parent.contact_mode} contact, so distance does not matter"
        )
    elif volunteer.remote_only:
        words["distance"] = "Supports by phone or video only; parent did not ask for that"
    elif np.isnan(km):
        words["distance"] = "Distance not known (a postcode is missing): check before assigning"
    else:
        words["distance"] = f"{distance_words.capitalize()}; travels up to {radius:g} km"
    del remote_pair

    wanted = [SLOTS[i] for i in np.flatnonzero(needs.availability[row])]
    if not wanted:
        words["availability"] = "Parent's preferred times not recorded"
    else:
        shared = [s for s in wanted if pool.availability[col, SLOTS.index(s)]]
        if shared:
            shown = [slot_label(s) for s in shared[:4]]
            more = f" and {len(shared) - 4} more" if len(shared) > 4 else ""
            words["availability"] = (
                f"Free {len(shared)} of the parent's {len(wanted)} preferred times: "
                f"{', '.join(shown)}{more}"
            )
        else:
            words["availability"] = "Free at none of the parent's preferred times"

    parent_tags = list(parent.tags or ())
    if not parent_tags:
        words["experience"] = "No particular experience asked for"
    else:
        shared_tags = [t for t in parent_tags if t in (volunteer.tags or ())]
        if shared_tags:
            words["experience"] = "Shares experience of " + words_list(
                [_lower_first(tag_label(t)) for t in shared_tags]
            )
        else:
            words["experience"] = "Shares none of: " + words_list(
                [_lower_first(tag_label(t)) for t in parent_tags]
            )

    words["continuity"] = (
        "Supported this parent before" if needs.previous[row, col] else "New to this parent"
    )
    supporting, most = int(pool.open_count[col]), int(pool.max_caseload[col])
    free = most - supporting
    words["workload"] = (
        f"Supporting {supporting} of up to {most}; {free} {'place' if free == 1 else 'places'} free"
    )
    return [
        PartExplained(
            name,
            PART_LABELS[name],
            evaluation.parts.at(name, row, col),
            maxima[name],
            words[name],
        )
        for name in PARTS
    ]


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


def shared_languages(parent: Any, volunteer: Any) -> str:
    both = [language_label(x) for x in (parent.languages or ()) if x in (volunteer.languages or ())]
    return words_list(both)


__all__ = ["STAGE_COLUMNS", "Evaluation", "Weights", "evaluate", "explain"]
