"""The optimal plan: assign waiting parents to volunteers to maximise the total score.

Each volunteer offers as many *slots* as they have free places (at most as many as the
parents they may take, since a parent needs only one). ``linear_sum_assignment`` then
solves the rectangular slots x parents problem exactly (Jonker-Volgenant), minimising
-score.

Forbidden pairs (a gate failed) cost 0, the same as leaving both sides unmatched, and
every allowed pair costs -score ≤ 0; so any optimal assignment of the full rectangle,
with its forbidden pairs dropped, is an optimal matching: a solver forced to fill a row
with a forbidden pair loses nothing by doing so. Leaving a parent unmatched is allowed.

Only what can matter goes to the solver: volunteers with a free place and at least one
allowed parent, parents with at least one allowed volunteer; and the allowed pairs are
split into connected components (parents and volunteers linked by allowed pairs), each
solved on its own: no pair crosses components, so the optimum is the sum of theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

Pairs = list[tuple[int, int]]  # (parent row, volunteer column)
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class PlanResult:
    pairs: Pairs
    total: float


def _result(scores: npt.NDArray[np.float64], rows: Ints, cols: Ints) -> PlanResult:
    order = np.lexsort((cols, rows))
    rows, cols = rows[order], cols[order]
    total = float(scores[rows, cols].sum()) if len(rows) else 0.0
    return PlanResult(list(zip(rows.tolist(), cols.tolist(), strict=True)), total)


def _solve(
    scores: npt.NDArray[np.float64],
    allowed: npt.NDArray[np.bool_],
    capacity: Ints,
    rows: Ints,
    cols: Ints,
) -> tuple[Ints, Ints]:
    """Optimal pairs (parent row, volunteer column) within ``rows`` x ``cols``."""
    sub_allowed = allowed[np.ix_(rows, cols)]
    # A volunteer never needs more slots than the parents they may take.
    reps = np.minimum(capacity[cols], sub_allowed.sum(axis=0))
    slot_of = np.repeat(np.arange(len(cols)), reps)
    # Slots as rows (fewer than parents when places are scarce), parents as columns.
    cost_t = np.where(sub_allowed.T, -scores[np.ix_(rows, cols)].T, 0.0)[slot_of]
    s, p = linear_sum_assignment(cost_t)
    keep = sub_allowed[p, slot_of[s]]
    return rows[p[keep]], cols[slot_of[s[keep]]]


def optimal_plan(
    scores: npt.NDArray[np.float64],
    allowed: npt.NDArray[np.bool_],
    capacity: npt.NDArray[np.int64],
) -> PlanResult:
    """Maximum-total-score matching: each parent (row) at most once, each volunteer
    (column) at most ``capacity`` times, only ``allowed`` pairs."""
    capacity = np.asarray(capacity, dtype=np.int64)
    cols = np.flatnonzero(allowed.any(axis=0) & (capacity > 0))
    rows = np.flatnonzero(allowed[:, cols].any(axis=1)) if len(cols) else np.array([], int)
    if len(rows) == 0 or len(cols) == 0:
        return PlanResult([], 0.0)
    found_rows, found_cols = [], []
    for part_rows, part_cols in _components(allowed[np.ix_(rows, cols)]):
        got_rows, got_cols = _solve(scores, allowed, capacity, rows[part_rows], cols[part_cols])
        found_rows.append(got_rows)
        found_cols.append(got_cols)
    return _result(scores, np.concatenate(found_rows), np.concatenate(found_cols))


def _components(sub: npt.NDArray[np.bool_]) -> list[tuple[Ints, Ints]]:
    """(rows, columns) of each connected component of the allowed pairs.

    Real waiting lists have one large component and a few small ones, so the largest
    is grown first from the busiest volunteer with whole-matrix boolean steps (a few
    milliseconds), and only what is left goes to the general sparse algorithm.
    """
    col_in = np.zeros(sub.shape[1], dtype=np.bool_)
    col_in[int(np.argmax(np.count_nonzero(sub, axis=0)))] = True
    while True:
        row_in: npt.NDArray[np.bool_] = np.asarray(sub[:, col_in].any(axis=1))
        grown: npt.NDArray[np.bool_] = np.asarray(sub[row_in].any(axis=0))
        if (grown == col_in).all():
            break
        col_in = grown
    out = [(np.flatnonzero(row_in), np.flatnonzero(col_in))]
    rest_rows, rest_cols = np.flatnonzero(~row_in), np.flatnonzero(~col_in)
    if len(rest_rows) == 0 or len(rest_cols) == 0:
        return out  # (rows and columns kept all have an allowed pair, so none is left over)
    r, c = np.nonzero(sub[np.ix_(rest_rows, rest_cols)])
    n_rows = len(rest_rows)
    graph = coo_array(
        (np.ones(len(r), dtype=np.int8), (r, n_rows + c)),
        shape=(n_rows + len(rest_cols),) * 2,
    )
    count, labels = connected_components(graph, directed=False)
    for label in range(count):
        part_rows = rest_rows[labels[:n_rows] == label]
        part_cols = rest_cols[labels[n_rows:] == label]
        if len(part_rows) and len(part_cols):
            out.append((part_rows, part_cols))
    return out


def greedy_plan(
    scores: npt.NDArray[np.float64],
    allowed: npt.NDArray[np.bool_],
    capacity: npt.NDArray[np.int64],
) -> PlanResult:
    """For comparison: take the best remaining allowed pair until nothing fits.

    The allowed pairs are walked best first, in batches: each batch is the best ``head``
    pairs still live (parent unmatched, volunteer with a free place), sorted and walked
    with capacity counters; pairs that died meanwhile are dropped with numpy before the
    next batch, so neither the sort nor the Python walk ever sees the whole million.
    Every batch scores at least as much as anything after it, so the order is exactly
    best-first (ties: row-major order, as a stable sort of every pair would give).
    """
    free = np.clip(np.asarray(capacity, dtype=np.int64), 0, None)
    width = scores.shape[1]
    flat = np.flatnonzero(allowed & (free > 0)[None, :])
    values = scores.ravel()[flat]
    left = free.tolist()  # plain lists: the walk below is a Python loop
    matched = [False] * scores.shape[0]
    slots = int(free.sum())
    unmatched = scores.shape[0]
    out_rows: list[int] = []
    out_cols: list[int] = []
    head = max(1024, 4 * slots)
    while len(flat) and slots and unmatched:
        if head < len(flat):
            # The best ``head`` (ties at the cut-off make it a few more, never fewer).
            cut = np.partition(values, len(values) - head)[len(values) - head]
            take = values >= cut
            batch, rest = np.flatnonzero(take), np.flatnonzero(~take)
        else:
            batch, rest = np.arange(len(flat)), np.array([], dtype=np.int64)
        # Best first; among equals, row-major order (``flat`` is ascending).
        batch = batch[np.argsort(-values[batch], kind="stable")]
        walk = flat[batch]
        for i, j in zip((walk // width).tolist(), (walk % width).tolist(), strict=True):
            if matched[i] or left[j] <= 0:
                continue
            matched[i] = True
            left[j] -= 1
            out_rows.append(i)
            out_cols.append(j)
            slots -= 1
            unmatched -= 1
            if not slots or not unmatched:
                break
        flat, values = flat[rest], values[rest]
        live = ~np.array(matched)[flat // width] & (np.array(left)[flat % width] > 0)
        flat, values = flat[live], values[live]
        head *= 4
    return _result(scores, np.array(out_rows, dtype=np.int64), np.array(out_cols, dtype=np.int64))
