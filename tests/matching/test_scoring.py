"""Gates and score as pure functions: no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from app.matching.arrays import ParentFacts, Vocab, VolunteerFacts, build_needs, build_pool
from app.matching.distance import district, haversine_km, normalise_postcode, postcode_area
from app.matching.gates import GATE_LABELS, GATES, PASSED, count_excluded
from app.matching.scoring import PARTS, Weights, evaluate, explain

TODAY = date(2026, 11, 2)
PREGNANT = ParentFacts(id=1, due_date=date(2027, 2, 1), postcode="BS2 0JA")


def run(parent: ParentFacts, volunteers: list[VolunteerFacts], weights: Weights | None = None):
    vocab = Vocab()
    pool = build_pool(volunteers, vocab)
    needs = build_needs([parent], pool, vocab, TODAY)
    w = weights or Weights.default()
    return needs, pool, evaluate(needs, pool, TODAY, w), w


def first_gate(parent: ParentFacts, volunteer: VolunteerFacts) -> str | None:
    _, _, ev, _ = run(parent, [volunteer])
    code = int(ev.gate[0, 0])
    return None if code == PASSED else GATES[code]


GOOD = VolunteerFacts(id=10, postcode="BS2 9XX")


def test_a_good_volunteer_passes_every_gate() -> None:
    assert first_gate(PREGNANT, GOOD) is None


@pytest.mark.parametrize(
    ("change", "gate"),
    [
        ({"status": "paused"}, "active"),
        ({"status": "left"}, "active"),
        ({"dbs_expires_on": date(2026, 11, 1)}, "checks"),
        ({"dbs_expires_on": None}, "checks"),
        ({"training_completed_on": None}, "checks"),
        ({"training_completed_on": date(2026, 11, 3)}, "checks"),
        ({"training_expires_on": date(2026, 11, 1)}, "checks"),
        ({"open_count": 3, "max_caseload": 3}, "capacity"),
        ({"max_caseload": 0}, "capacity"),
        ({"stages": ("postnatal",)}, "stage"),
        ({"languages": ("pl",)}, "language"),
        ({"postcode": "M1 1AA"}, "travel"),
    ],
)
def test_each_gate_excludes(change: dict[str, object], gate: str) -> None:
    assert first_gate(PREGNANT, replace(GOOD, **change)) == gate  # type: ignore[arg-type]


def test_dbs_valid_on_its_expiry_day() -> None:
    assert first_gate(PREGNANT, replace(GOOD, dbs_expires_on=TODAY)) is None


def test_training_valid_on_its_renewal_day_and_without_one() -> None:
    assert first_gate(PREGNANT, replace(GOOD, training_expires_on=TODAY)) is None
    assert first_gate(PREGNANT, replace(GOOD, training_expires_on=None)) is None
    expired = replace(GOOD, training_expires_on=TODAY - timedelta(days=1))
    assert first_gate(PREGNANT, expired) == "checks"
    assert GATE_LABELS["checks"] == "DBS check or training expired, or training not completed"


def test_excluded_pair() -> None:
    assert first_gate(replace(PREGNANT, excluded=frozenset({10})), GOOD) == "excluded"


def test_remote_support_ignores_distance() -> None:
    far = replace(GOOD, postcode="M1 1AA")
    assert first_gate(replace(PREGNANT, contact_mode="phone"), far) is None
    assert first_gate(replace(PREGNANT, contact_mode="video"), far) is None
    assert first_gate(PREGNANT, replace(far, remote_only=True)) is None
    assert first_gate(replace(PREGNANT, contact_mode="in_person"), far) == "travel"


def test_coordinates_and_travel_radius() -> None:
    parent = replace(PREGNANT, latitude=51.4545, longitude=-2.5879)  # Bristol centre
    near = replace(GOOD, latitude=51.4545, longitude=-2.5079, travel_km=10)  # ~5.5 km east
    assert first_gate(parent, near) is None
    assert first_gate(parent, replace(near, travel_km=5)) == "travel"
    # No travel_km: the admin default applies.
    assert first_gate(parent, replace(near, travel_km=None)) is None
    w = Weights(Weights.default().values, default_travel_km=3.0)
    _, _, ev, _ = run(parent, [replace(near, travel_km=None)], w)
    assert GATES[int(ev.gate[0, 0])] == "travel"


def test_unknown_distance_passes_but_scores_nothing() -> None:
    needs, pool, ev, w = run(replace(PREGNANT, postcode=None), [GOOD])
    assert ev.gate[0, 0] == PASSED
    assert ev.parts["distance"][0, 0] == 0.0
    words = {p.name: p.words for p in explain(needs, pool, ev, w, 0, 0)}
    assert "not known" in words["distance"]


def test_stage_rules() -> None:
    born = replace(PREGNANT, due_date=None, birth_date=date(2026, 6, 1))  # postnatal
    assert first_gate(born, replace(GOOD, stages=("postnatal",))) is None
    assert first_gate(born, replace(GOOD, stages=("pregnancy", "birth"))) == "stage"
    unknown = replace(PREGNANT, due_date=None)
    assert first_gate(unknown, replace(GOOD, stages=("birth",))) is None
    assert first_gate(unknown, replace(GOOD, stages=())) == "stage"
    over = replace(PREGNANT, due_date=None, birth_date=date(2024, 1, 1))
    assert first_gate(over, GOOD) == "stage"


def test_parent_without_language_passes_language_gate() -> None:
    assert first_gate(replace(PREGNANT, languages=()), replace(GOOD, languages=("so",))) is None


def test_first_failed_gate_is_counted_once() -> None:
    vols = [
        replace(GOOD, id=1, status="paused", languages=("pl",)),
        replace(GOOD, id=2, languages=("pl",)),
        replace(GOOD, id=3, open_count=3),
        GOOD,
    ]
    _, _, ev, _ = run(PREGNANT, vols)
    assert count_excluded(ev.gate[0]) == {"active": 1, "capacity": 1, "language": 1}


def test_score_parts_and_total() -> None:
    parent = replace(
        PREGNANT,
        tags=("twins", "nicu"),
        availability=("mon-am", "tue-pm", "wed-eve", "thu-am"),
        previous=frozenset({10}),
    )
    vol = replace(
        GOOD,
        tags=("twins",),
        availability=("mon-am", "tue-pm"),
        stages=("pregnancy", "birth"),
        open_count=1,
        max_caseload=4,
        postcode="BS2 8AA",
        travel_km=4.0,
    )
    needs, pool, ev, w = run(parent, [vol])
    fr = {k: float(v[0, 0]) for k, v in ev.fractions.items()}
    assert fr["stage"] == pytest.approx(2 / 3)
    assert fr["distance"] == pytest.approx(0.5)  # same district = 2 km of 4 km
    assert fr["availability"] == pytest.approx(0.5)
    assert fr["experience"] == pytest.approx(0.5)
    assert fr["continuity"] == 1.0
    assert fr["workload"] == pytest.approx(0.75)
    expected = 20 * (2 / 3) + 20 * 0.5 + 20 * 0.5 + 20 * 0.5 + 10 * 1 + 10 * 0.75
    assert float(ev.total[0, 0]) == pytest.approx(expected)
    explained = explain(needs, pool, ev, w, 0, 0)
    assert [p.name for p in explained] == list(PARTS)
    words = {p.name: p.words for p in explained}
    assert words["stage"] == "Trained for pregnancy and birth of pregnancy, birth and postnatal"
    assert words["availability"].startswith(
        "Free 2 of the parent's 4 preferred times: Monday morning"
    )
    assert words["experience"] == "Shares experience of twins or more"
    assert words["continuity"] == "Supported this parent before"
    assert words["workload"] == "Supporting 1 of up to 4; 3 places free"
    assert sum(p.max_points for p in explained) == pytest.approx(100)


def test_weights_change_the_score() -> None:
    parent = replace(PREGNANT, tags=("twins",))
    vol = replace(GOOD, tags=("twins",))
    heavy = Weights({**Weights.default().values, "experience": 100})
    _, _, ev_default, _ = run(parent, [vol])
    _, _, ev_heavy, _ = run(parent, [vol], heavy)
    points_default = float(ev_default.parts["experience"][0, 0])
    points_heavy = float(ev_heavy.parts["experience"][0, 0])
    assert points_default == pytest.approx(20)
    assert points_heavy == pytest.approx(100 * 100 / 180)


def test_score_is_between_0_and_100() -> None:
    rng = np.random.default_rng(1)
    vols = [
        replace(GOOD, id=i, open_count=int(rng.integers(0, 3)), tags=("twins",) if i % 2 else ())
        for i in range(50)
    ]
    _, _, ev, _ = run(replace(PREGNANT, tags=("twins",), previous=frozenset({3})), vols)
    assert (ev.total >= 0).all() and (ev.total <= 100 + 1e-9).all()


def test_postcode_helpers() -> None:
    assert normalise_postcode(" bs14dj ") == "BS1 4DJ"
    assert district("BS1 4DJ") == "BS1"
    assert postcode_area("SW1A 1AA") == "SW"
    assert district(None) is None
    london_paris = float(haversine_km(51.5074, -0.1278, 48.8566, 2.3522))
    assert london_paris == pytest.approx(343.5, abs=1.0)


def test_pairwise_km_agrees_with_haversine() -> None:
    from app.matching.distance import pairwise_km

    rng = np.random.default_rng(7)
    lat_p, lon_p = 51.4 + rng.random(30) * 0.2, -2.7 + rng.random(30) * 0.3
    lat_v, lon_v = 51.4 + rng.random(40) * 0.2, -2.7 + rng.random(40) * 0.3
    lat_v[0], lon_v[0] = lat_p[0] + 0.0001, lon_p[0]  # about 11 metres
    lat_v[1] = np.nan
    fast = pairwise_km(lat_p, lon_p, lat_v, lon_v)
    slow = haversine_km(lat_p[:, None], lon_p[:, None], lat_v[None, :], lon_v[None, :])
    assert np.isnan(fast[:, 1]).all()
    ok = ~np.isnan(slow)
    assert np.allclose(fast[ok], slow[ok], rtol=1e-6, atol=1e-4)
    assert fast[0, 0] == pytest.approx(0.0111, abs=0.0005)


def test_pairwise_km_is_exact_near_and_far() -> None:
    from app.matching.distance import pairwise_km

    # Bristol to: itself, a street away, Bath, Edinburgh, Sydney.
    lat_v = np.array([51.4545, 51.4550, 51.3811, 55.9533, -33.8688])
    lon_v = np.array([-2.5879, -2.5879, -2.3590, -3.1883, 151.2093])
    fast = pairwise_km(np.array([51.4545]), np.array([-2.5879]), lat_v, lon_v)[0]
    slow = haversine_km(51.4545, -2.5879, lat_v, lon_v)
    assert fast[0] == pytest.approx(0.0, abs=1e-3)  # within a metre
    assert np.allclose(fast[1:], slow[1:], rtol=1e-6, atol=1e-3)
    assert fast[4] > 17_000
