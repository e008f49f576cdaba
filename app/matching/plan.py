"""The optimal plan: assign waiting parents to volunteers to maximise the total score.

Each volunteer offers as many *slots* as they have free places (at most one per parent,
since a parent needs only one). ``linear_sum_assignment`` then solves the rectangular
parents x slots problem exactly (Hungarian / Jonker-Volgenant), minimising -score.

Forbidden pairs (a gate failed) cost 0, the same as leaving both sides unmatched, and
every allowed pair costs -score ≤ 0; so any optimal assignment of the full rectangle,
with its forbidden pairs dropped, is an optimal matching: a solver forced to fill a row
with a forbidden pair loses nothing by doing so. Leaving a parent unmatched is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

Pairs = list[tuple[int, int]]  # (parent row, volunteer column)


@dataclass(frozen=True)
class PlanResult:
    pairs: Pairs
    total: float


def _slots(capacity: npt.NDArray[np.int64], parents: int) -> npt.NDArray[np.int64]:
    """Volunteer column for each slot: column j repeated min(capacity[j], parents) times."""
    reps = np.clip(capacity, 0, parents)
    return np.repeat(np.arange(len(capacity)), reps)


def optimal_plan(
    scores: npt.NDArray[np.float64],
    allowed: npt.NDArray[np.bool_],
    capacity: npt.NDArray[np.int64],
) -> PlanResult:
    """Maximum-total-score matching: each parent (row) at most once, each volunteer
    (column) at most ``capacity`` times, only ``allowed`` pairs."""
    parents = scores.shape[0]
    useful = allowed.any(axis=0) & (capacity > 0)
    cols = np.flatnonzero(useful)
    rows = np.flatnonzero(allowed[:, cols].any(axis=1)) if len(cols) else np.array([], int)
    if len(rows) == 0 or len(cols) == 0:
        return PlanResult([], 0.0)
    slot_cols = cols[_slots(capacity[cols], parents)]
    sub_scores = scores[np.ix_(rows, slot_cols)]
    sub_allowed = allowed[np.ix_(rows, slot_cols)]
    cost = np.where(sub_allowed, -sub_scores, 0.0)
    r, c = linear_sum_assignment(cost)
    pairs = [
        (int(rows[i]), int(slot_cols[j])) for i, j in zip(r, c, strict=True) if sub_allowed[i, j]
    ]
    pairs.sort()
    total = float(sum(scores[i, j] for i, j in pairs))
    return PlanResult(pairs, total)


def greedy_plan(
    scores: npt.NDArray[np.float64],
    allowed: npt.NDArray[np.bool_],
    capacity: npt.NDArray[np.int64],
) -> PlanResult:
    """For comparison: take the best remaining allowed pair until nothing fits."""
    left = [int(c) for c in capacity]
    slots = sum(c for c in left if c > 0)
    rows, cols = np.nonzero(allowed)
    values = scores[rows, cols]
    # Sorting a million pairs is most of greedy's cost, and it rarely gets past the best
    # few per slot: sort the best ``head`` first, the rest only if it needs them. Every
    # pair in the head scores at least as much as any in the tail, so the order is still
    # best-first overall.
    head = min(len(values), max(10_000, 40 * slots))
    if head < len(values):
        split = np.argpartition(-values, head - 1)
        chunks = [split[:head], split[head:]]
    else:
        chunks = [np.arange(len(values))]
    matched = [False] * scores.shape[0]
    unmatched = scores.shape[0]
    pairs: Pairs = []
    for chunk in chunks:
        if slots == 0 or unmatched == 0:
            break
        ordered = chunk[np.argsort(-values[chunk], kind="stable")]
        for i, j in zip(rows[ordered].tolist(), cols[ordered].tolist(), strict=True):
            if matched[i] or left[j] <= 0:
                continue
            matched[i] = True
            unmatched -= 1
            left[j] -= 1
            slots -= 1
            pairs.append((i, j))
            if slots == 0 or unmatched == 0:
                break
    pairs.sort()
    return PlanResult(pairs, float(sum(scores[i, j] for i, j in pairs)))
