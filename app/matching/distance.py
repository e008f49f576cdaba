"""How far apart a parent and a volunteer are.

* Both have coordinates: the great-circle distance (haversine, mean Earth radius).
* Otherwise the UK postcode decides, as an estimate:
  - same postcode district (the outward code, e.g. ``BS1`` of ``BS1 4DJ``) → *near*,
    counted as ``NEAR_KM`` (2 km);
  - same postcode area (the leading letters, e.g. ``BS``) → *medium*, counted as
    ``MEDIUM_KM`` (10 km);
  - different areas → *far*, counted as ``FAR_KM`` (50 km);
  - either postcode missing → *unknown* (NaN): the travel gate lets the pair through
    and the distance part scores nothing, and the page says "distance not known".
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088
NEAR_KM = 2.0
MEDIUM_KM = 10.0
FAR_KM = 50.0

_AREA_RE = re.compile(r"^[A-Z]{1,2}")


def normalise_postcode(value: str | None) -> str | None:
    """'bs14dj' → 'BS1 4DJ'; None or blank → None. Unknown shapes are kept, upper-cased."""
    if not value:
        return None
    compact = re.sub(r"\s+", "", value).upper()
    if not compact:
        return None
    if len(compact) >= 5:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


@lru_cache(maxsize=65536)
def district(postcode: str | None) -> str | None:
    """The outward code: 'BS1 4DJ' → 'BS1' (a bare outward code is its own district)."""
    norm = normalise_postcode(postcode)
    if norm is None:
        return None
    return norm.split(" ")[0]


@lru_cache(maxsize=65536)
def postcode_area(postcode: str | None) -> str | None:
    """The leading letters: 'BS1 4DJ' → 'BS'."""
    out = district(postcode)
    if out is None:
        return None
    match = _AREA_RE.match(out)
    return match.group(0) if match else None


def haversine_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle distance in km; broadcasts; NaN where a coordinate is missing."""
    p1 = np.radians(np.asarray(lat1, dtype=np.float64))
    p2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def _unit_vectors(lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]) -> Any:
    """Points on the unit sphere, (N, 3); NaN rows where a coordinate is missing."""
    phi, lam = np.radians(lat), np.radians(lon)
    cos_phi = np.cos(phi)
    return np.column_stack([cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)])


def pairwise_km(
    lat_p: npt.NDArray[np.float64],
    lon_p: npt.NDArray[np.float64],
    lat_v: npt.NDArray[np.float64],
    lon_v: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Great-circle km for every row point x column point, NaN where one is missing.

    With both points as unit vectors ``u`` and ``v``, ``sin^2(theta / 2) = (1 - u.v) / 2``
    (the haversine term), so the P x V part is ONE matrix product; float64 keeps metres
    exact enough (about a millimetre at 10 m).
    """
    dot = _unit_vectors(lat_p, lon_p) @ _unit_vectors(lat_v, lon_v).T
    # a = (1 - dot) / 2, in place.
    np.subtract(1.0, dot, out=dot)
    dot *= 0.5
    np.clip(dot, 0.0, 1.0, out=dot)
    np.sqrt(dot, out=dot)
    np.arcsin(dot, out=dot)
    dot *= 2 * EARTH_RADIUS_KM
    return np.asarray(dot)


def _fallback_km(
    district_p: npt.NDArray[np.int64],
    area_p: npt.NDArray[np.int64],
    district_v: npt.NDArray[np.int64],
    area_v: npt.NDArray[np.int64],
) -> npt.NDArray[np.float64]:
    """The postcode estimate for every row x column (codes; -1 = no postcode)."""
    dp, dv = district_p[:, None], district_v[None, :]
    ap, av = area_p[:, None], area_v[None, :]
    known = (dp >= 0) & (dv >= 0)
    out = np.where(known, FAR_KM, np.nan)
    out[known & (ap == av) & (ap >= 0)] = MEDIUM_KM
    out[known & (dp == dv)] = NEAR_KM
    return out


def estimated_km(
    lat_p: npt.NDArray[np.float64],
    lon_p: npt.NDArray[np.float64],
    district_p: npt.NDArray[np.int64],
    area_p: npt.NDArray[np.int64],
    lat_v: npt.NDArray[np.float64],
    lon_v: npt.NDArray[np.float64],
    district_v: npt.NDArray[np.int64],
    area_v: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """(km, from_coordinates) for every parent (rows) x volunteer (columns).

    Districts and areas are integer codes (-1 = no postcode) from one shared vocabulary.
    The postcode estimate is computed only for the rows and columns lacking coordinates.
    """
    km = pairwise_km(lat_p, lon_p, lat_v, lon_v)
    row_has = ~(np.isnan(lat_p) | np.isnan(lon_p))
    col_has = ~(np.isnan(lat_v) | np.isnan(lon_v))
    from_coords = row_has[:, None] & col_has[None, :]
    rows_without = np.flatnonzero(~row_has)
    cols_without = np.flatnonzero(~col_has)
    if len(rows_without):
        km[rows_without, :] = _fallback_km(
            district_p[rows_without], area_p[rows_without], district_v, area_v
        )
    if len(cols_without):
        km[:, cols_without] = _fallback_km(
            district_p, area_p, district_v[cols_without], area_v[cols_without]
        )
    return km, from_coords


def describe_km(km: float, from_coordinates: bool) -> str:
    """Words for a distance: '3.2 km', 'same postcode district', …."""
    if np.isnan(km):
        return "distance not known (a postcode is missing)"
    if from_coordinates:
        return f"{km:.1f} km apart"
    if km == NEAR_KM:
        return "same postcode district (near)"
    if km == MEDIUM_KM:
        return "same postcode area (about 10 km, estimated)"
    return "different postcode areas (probably far)"
