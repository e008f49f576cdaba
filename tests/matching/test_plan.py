"""The plan is optimal: checked against brute force and an independent MILP solver."""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from app.matching.plan import greedy_plan, optimal_plan


def brute_force(
    scores: npt.NDArray[np.float64], allowed: npt.NDArray[np.bool_], cap: list[int]
) -> float:
    parents, volunteers = scores.shape
    best = 0.0
    for choice in itertools.product(range(-1, volunteers), repeat=parents):
        used = [0] * volunteers
        total = 0.0
        ok = True
        for i, j in enumerate(choice):
            if j < 0:
                continue
            if not allowed[i, j]:
                ok = False
                break
            used[j] += 1
            total += scores[i, j]
        if ok and all(u <= c for u, c in zip(used, cap, strict=True)):
            best = max(best, total)
    return best


def milp_total(
    scores: npt.NDArray[np.float64], allowed: npt.NDArray[np.bool_], cap: npt.NDArray[np.int64]
) -> float:
    p, v = scores.shape
    n = p * v
    c = -scores.ravel()
    upper = allowed.ravel().astype(float)
    rows_parent = np.kron(np.eye(p), np.ones((1, v)))
    rows_vol = np.kron(np.ones((1, p)), np.eye(v))
    constraints = [
        LinearConstraint(rows_parent, -np.inf, np.ones(p)),
        LinearConstraint(rows_vol, -np.inf, cap.astype(float)),
    ]
    result = milp(c, constraints=constraints, integrality=np.ones(n), bounds=Bounds(0, upper))
    assert result.success
    return float(-result.fun)


def check_valid(
    pairs: list[tuple[int, int]], allowed: npt.NDArray[np.bool_], cap: npt.NDArray[np.int64]
) -> None:
    parents = [i for i, _ in pairs]
    assert len(parents) == len(set(parents)), "a parent matched twice"
    for i, j in pairs:
        assert allowed[i, j], "a forbidden pair was chosen"
    counts = np.bincount([j for _, j in pairs], minlength=len(cap))
    assert (counts <= cap).all(), "a volunteer over capacity"


@pytest.mark.parametrize("seed", range(60))
def test_optimal_matches_brute_force_on_small_instances(seed: int) -> None:
    rng = np.random.default_rng(seed)
    parents, volunteers = int(rng.integers(1, 6)), int(rng.integers(1, 4))
    scores = rng.integers(0, 100, size=(parents, volunteers)).astype(float)
    allowed = rng.random((parents, volunteers)) < 0.7
    cap = rng.integers(0, 3, size=volunteers)
    plan = optimal_plan(scores, allowed, cap)
    check_valid(plan.pairs, allowed, cap)
    assert plan.total == pytest.approx(brute_force(scores, allowed, list(cap)))
    assert plan.total >= greedy_plan(scores, allowed, cap).total


@pytest.mark.parametrize("seed", range(5))
def test_optimal_matches_milp_on_larger_instances(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    parents, volunteers = 60, 25
    scores = rng.random((parents, volunteers)) * 100
    allowed = rng.random((parents, volunteers)) < 0.4
    cap = rng.integers(0, 4, size=volunteers)
    plan = optimal_plan(scores, allowed, cap)
    check_valid(plan.pairs, allowed, cap)
    assert plan.total == pytest.approx(milp_total(scores, allowed, cap), rel=1e-9)


def test_greedy_is_beaten_where_it_should_be() -> None:
    # Greedy takes 90 (p0-v0) and then p1 has nobody; the optimum is 80 + 70.
    scores = np.array([[90.0, 80.0], [70.0, 0.0]])
    allowed = np.array([[True, True], [True, False]])
    cap = np.array([1, 1])
    assert greedy_plan(scores, allowed, cap).total == 90.0
    plan = optimal_plan(scores, allowed, cap)
    assert plan.total == 150.0
    assert plan.pairs == [(0, 1), (1, 0)]


def test_nothing_allowed_gives_an_empty_plan() -> None:
    scores = np.ones((3, 2))
    plan = optimal_plan(scores, np.zeros((3, 2), dtype=bool), np.array([2, 2]))
    assert plan.pairs == [] and plan.total == 0.0


def naive_greedy(
    scores: npt.NDArray[np.float64], allowed: npt.NDArray[np.bool_], cap: npt.NDArray[np.int64]
) -> float:
    left = list(cap)
    matched: set[int] = set()
    total = 0.0
    pairs = sorted(
        ((scores[i, j], i, j) for i, j in zip(*np.nonzero(allowed), strict=True)),
        key=lambda t: -t[0],
    )
    for s, i, j in pairs:
        if i in matched or left[j] <= 0:
            continue
        matched.add(i)
        left[j] -= 1
        total += s
    return total


@pytest.mark.parametrize("seed", range(3))
def test_greedy_with_partial_sort_equals_plain_greedy(seed: int) -> None:
    # Large enough that the partial sort's head is used and sometimes exhausted.
    rng = np.random.default_rng(200 + seed)
    scores = rng.random((400, 120)) * 100
    allowed = rng.random((400, 120)) < (0.05 if seed == 0 else 0.5)
    cap = rng.integers(0, 3, size=120)
    assert greedy_plan(scores, allowed, cap).total == pytest.approx(
        naive_greedy(scores, allowed, cap)
    )


def naive_greedy_pairs(
    scores: npt.NDArray[np.float64], allowed: npt.NDArray[np.bool_], cap: npt.NDArray[np.int64]
) -> list[tuple[int, int]]:
    left = list(cap)
    matched: set[int] = set()
    out = []
    pairs = sorted(
        ((scores[i, j], int(i), int(j)) for i, j in zip(*np.nonzero(allowed), strict=True)),
        key=lambda t: -t[0],
    )  # stable: equal scores stay in row-major order
    for _, i, j in pairs:
        if i in matched or left[j] <= 0:
            continue
        matched.add(i)
        left[j] -= 1
        out.append((i, j))
    return sorted(out)


@pytest.mark.parametrize("seed", range(3))
def test_greedy_breaks_ties_like_one_stable_sort(seed: int) -> None:
    # Few distinct scores (real scores tie a lot) and more pairs than one batch: ties
    # straddling a batch boundary must still be taken in row-major order, exactly as
    # the reference greedy (one stable sort of every pair) takes them.
    rng = np.random.default_rng(300 + seed)
    scores = rng.integers(0, 12, size=(600, 150)).astype(float)
    allowed = rng.random((600, 150)) < 0.6
    cap = rng.integers(0, 3, size=150)
    assert greedy_plan(scores, allowed, cap).pairs == naive_greedy_pairs(scores, allowed, cap)


def test_separate_components_are_solved_together() -> None:
    # Two groups with no allowed pair between them, plus a parent nobody may take.
    scores = np.array([[5.0, 0, 0], [4.0, 0, 0], [0, 9.0, 1.0], [0, 8.0, 7.0], [3.0, 3.0, 3.0]])
    allowed = np.array([[1, 0, 0], [1, 0, 0], [0, 1, 1], [0, 1, 1], [0, 0, 0]], dtype=bool)
    cap = np.array([1, 1, 1])
    plan = optimal_plan(scores, allowed, cap)
    assert plan.pairs == [(0, 0), (2, 1), (3, 2)]
    assert plan.total == 5.0 + 9.0 + 7.0
