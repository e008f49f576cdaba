"""The gates: a volunteer failing any gate is not offered for a parent.

Gates are checked in this order and a volunteer is counted under the FIRST gate they fail,
so the counts on the suggestions page add up to the number excluded.

* ``active``   — the volunteer's status is active (not paused, not left);
* ``checks``   — a DBS expiry date is recorded and has not passed (valid on the expiry day
  itself), a training completion date is recorded on or before today, and the training's
  renewal date, when one is recorded, has not passed (valid on the day itself);
* ``capacity`` — open assignments < maximum caseload;
* ``area``     — a volunteer with an area works only for cases of that area; a volunteer
  without an area may be offered for any case;
* ``stage``    — trained for the parent's stage today (in the service time zone). A parent
  whose stage is ``unknown`` (no due date, no birth date) needs a volunteer trained for at
  least one stage; a parent past the 1001 days is offered nobody;
* ``language`` — shares at least one language with the parent (a parent with no language
  recorded passes: there is nothing to check);
* ``travel``   — within the volunteer's travel radius (their own, else the admin default),
  unless the support is remote: the parent asked for phone or video contact, or the
  volunteer supports remotely only. A pair whose distance is not known passes (the page
  warns the coordinator);
* ``excluded`` — not excluded for this parent (declined before, conflict of interest).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from app.matching.arrays import Needs, Pool

GATES = ("active", "checks", "capacity", "area", "stage", "language", "travel", "excluded")
GATE_LABELS = {
    "active": "paused or left",
    "checks": "DBS check or training expired, or training not completed",
    "capacity": "no space in their caseload",
    "area": "works in another area",
    "stage": "not trained for this stage",
    "language": "no shared language",
    "travel": "too far to travel",
    "excluded": "declined before or a conflict of interest",
}
PASSED = -1


def travel_radius(pool: Pool, default_km: float) -> npt.NDArray[np.float64]:
    return np.where(np.isnan(pool.travel_km), default_km, pool.travel_km)


def overlap_counts(rows: npt.NDArray[np.bool_], cols: npt.NDArray[np.bool_]) -> Any:
    """(R, C) uint8: how many set members each row shares with each column.

    Both sides are packed to bytes (8 members a byte) and compared with ``&`` and a
    population count per byte, so the R x C work is a few integer passes, however many
    codes the vocabulary holds (at most 255 shared members are counted).
    """
    a, b = np.packbits(rows, axis=1), np.packbits(cols, axis=1)
    out = np.zeros((a.shape[0], b.shape[0]), dtype=np.uint8)
    for byte in range(a.shape[1]):
        out += np.bitwise_count(a[:, byte, None] & b[None, :, byte])
    return out


def any_overlap(rows: npt.NDArray[np.bool_], cols: npt.NDArray[np.bool_]) -> Any:
    """(R, C) bool: the row and the column share at least one member."""
    a, b = np.packbits(rows, axis=1), np.packbits(cols, axis=1)
    out = np.zeros((a.shape[0], b.shape[0]), dtype=np.bool_)
    for byte in range(a.shape[1]):
        out |= (a[:, byte, None] & b[None, :, byte]) != 0
    return out


def remote_support(needs: Needs, pool: Pool) -> npt.NDArray[np.bool_]:
    """(P, V): the support would be by phone or video, so distance does not matter."""
    return needs.remote[:, None] | pool.remote_only[None, :]


def gate_matrix(
    needs: Needs,
    pool: Pool,
    today: date,
    km: npt.NDArray[np.float64],
    radius: npt.NDArray[np.float64],
    *,
    ignore_capacity: bool = False,
) -> npt.NDArray[np.int8]:
    """(P, V): the index in ``GATES`` of the first gate failed, or ``PASSED`` (-1).

    ``ignore_capacity`` leaves the caseload out: would the pair pass if the volunteer had room?
    """
    p, v = len(needs), len(pool)
    day = today.toordinal()
    checks = (
        (pool.dbs_expires >= day)
        & (pool.training_done >= 0)
        & (pool.training_done <= day)
        & (pool.training_expires >= day)
    )
    capacity = pool.open_count < pool.max_caseload
    if ignore_capacity:
        capacity = np.ones(v, dtype=np.bool_)
    # Stage: columns 0..2 for known stages; unknown → any stage; over → nobody.
    trained_any: npt.NDArray[np.bool_] = np.asarray(pool.stages.any(axis=1))
    stage_table = np.vstack(
        [pool.stages.T, np.zeros((1, v), dtype=np.bool_), trained_any[None, :]]
    )  # rows: pregnancy, birth, postnatal, over, unknown
    stage_bad = (~stage_table)[needs.stage]
    language_bad = ~any_overlap(needs.languages, pool.languages)
    language_bad[~needs.has_languages, :] = False
    # Too far: NaN (distance not known) compares False, so unknown distances pass.
    travel_bad = km > radius[None, :]
    travel_bad[needs.remote, :] = False
    travel_bad[:, pool.remote_only] = False
    area_bad = (pool.area_id[None, :] >= 0) & (pool.area_id[None, :] != needs.area_id[:, None])
    # Per-volunteer gates first (1-D), then the pair gates, last gate first so the
    # earliest failure wins.
    per_volunteer = np.full(v, PASSED, dtype=np.int8)
    for index, ok in ((2, capacity), (1, checks), (0, pool.active)):
        per_volunteer[~ok] = index
    result = np.full((p, v), PASSED, dtype=np.int8)
    result[needs.excluded] = GATES.index("excluded")
    result[travel_bad] = GATES.index("travel")
    result[language_bad] = GATES.index("language")
    result[stage_bad] = GATES.index("stage")
    result[area_bad] = GATES.index("area")
    failed = np.flatnonzero(per_volunteer >= 0)
    result[:, failed] = per_volunteer[failed]
    return result


def count_excluded(first_failed: npt.NDArray[np.int8]) -> dict[str, int]:
    """{gate: how many volunteers it excluded} for one parent's row (gates in order)."""
    counts = np.bincount(first_failed[first_failed >= 0], minlength=len(GATES))
    return {gate: int(counts[i]) for i, gate in enumerate(GATES) if counts[i]}


# Why the plan left a waiting parent out (``why_unplaced``), in words.
UNPLACED_WORDS = {
    "gate": "no volunteer passes the matching rules; most often: {gate} ({count} of {total})",
    "full": "every suitable volunteer is already full",
    "taken": "the free places of every suitable volunteer go to other parents in this plan",
    "nobody": "there are no volunteers to consider",
}


@dataclass(frozen=True)
class Unplaced:
    reason: str  # a key of UNPLACED_WORDS
    gate: str | None  # the most common gate failed (reason "gate"), else None
    count: int  # how many volunteers that gate excluded
    total: int  # how many volunteers were looked at

    @property
    def words(self) -> str:
        label = GATE_LABELS[self.gate] if self.gate else ""
        return UNPLACED_WORDS[self.reason].format(gate=label, count=self.count, total=self.total)


def why_unplaced(gates: npt.NDArray[np.int8], free: npt.NDArray[np.int64]) -> list[Unplaced]:
    """Why each parent (row) of ``gates`` was left out of the plan.

    ``gates`` is ``gate_matrix(..., ignore_capacity=True)`` for the parents left out, and
    ``free`` each volunteer's free places before the plan. A parent with a suitable volunteer
    (every gate but the caseload passes) was left out for want of room: "full" if none of
    them had a free place, "taken" if the plan gave those places to others. Otherwise no
    volunteer passes, and the gate that excluded most volunteers is named (ties: the
    earlier gate). Whole-matrix numpy: one pass per gate, whatever the number of parents.
    """
    rows, total = gates.shape
    if rows == 0:
        return []
    if total == 0:
        return [Unplaced("nobody", None, 0, 0)] * rows
    suitable = gates == PASSED
    any_suitable = suitable.any(axis=1)
    with_room = (suitable & (np.asarray(free) > 0)[None, :]).any(axis=1)
    counts = np.stack([(gates == i).sum(axis=1) for i in range(len(GATES))], axis=1)
    most = np.argmax(counts, axis=1)
    out = []
    for r in range(rows):
        if with_room[r]:
            out.append(Unplaced("taken", None, 0, total))
        elif any_suitable[r]:
            out.append(Unplaced("full", None, 0, total))
        else:
            g = int(most[r])
            out.append(Unplaced("gate", GATES[g], int(counts[r, g]), total))
    return out
