"""Small geometry helpers: a band of given width around a line, and bounds.

The course has no verified polygon for the Lachin corridor. Point 6 of the statement
gives its width (5 km), so the ceasefire map derives an approximate band: the line
offset by half the width on each side. Over a few tens of kilometres a local
equirectangular projection is accurate to well under 1 %, which is far finer than the
line itself (drawn through towns, not surveyed), so no GIS library is needed.

Examples
--------
>>> band = buffer_line([(39.60, 46.54), (39.70, 46.54)], half_width_km=2.5)
>>> len(band)
4
>>> round(distance_km(band[0], band[-1]), 2)  # across the band at the first vertex
5.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)

LatLon = tuple[float, float]


def distance_km(a: LatLon, b: LatLon) -> float:
    """Great-circle distance between two (lat, lon) points, in kilometres.

    Examples
    --------
    >>> round(distance_km((0.0, 0.0), (0.0, 1.0)), 1)
    111.2
    """
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def buffer_line(points: Sequence[LatLon], half_width_km: float, miter_limit: float = 3.0) -> list[LatLon]:
    """Return a polygon (list of (lat, lon)) covering ``half_width_km`` on each side of a line.

    Each vertex is moved along the bisector of its two segments (a mitred join), so the
    band keeps the same width along straight stretches and at bends; very sharp bends
    are limited to ``miter_limit`` times the half width. The ends are cut square.

    Parameters
    ----------
    points : sequence of (lat, lon)
        The line, at least two distinct points.
    half_width_km : float
        Distance from the line to each edge of the band.
    miter_limit : float, default 3.0
        Longest offset at a bend, as a multiple of ``half_width_km``.

    Returns
    -------
    list of (lat, lon)
        The left edge from the first to the last point, then the right edge back.

    Raises
    ------
    ValueError
        If the line has fewer than two distinct points or the width is not positive.

    Examples
    --------
    >>> band = buffer_line([(0.0, 0.0), (0.0, 0.1), (0.1, 0.1)], half_width_km=1)
    >>> len(band)
    6
    """
    if half_width_km <= 0:
        raise ValueError(f"half_width_km must be positive, not {half_width_km!r}")
    pts = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if len(pts) < 2:
        raise ValueError("a band needs a line of at least two distinct points")
    lat0 = sum(p[0] for p in pts) / len(pts)
    lon0 = sum(p[1] for p in pts) / len(pts)
    kx = math.radians(1) * EARTH_RADIUS_KM * math.cos(math.radians(lat0))  # km per degree of longitude
    ky = math.radians(1) * EARTH_RADIUS_KM  # km per degree of latitude
    xy = [((lon - lon0) * kx, (lat - lat0) * ky) for lat, lon in pts]

    def unit_normal(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
        dx, dy = b[0] - a[0], b[1] - a[1]
        length = math.hypot(dx, dy)
        return (-dy / length, dx / length)  # to the left of a -> b

    normals = [unit_normal(xy[i], xy[i + 1]) for i in range(len(xy) - 1)]
    left, right = [], []
    for i, (x, y) in enumerate(xy):
        if i == 0:
            nx, ny = normals[0]
            scale = 1.0
        elif i == len(xy) - 1:
            nx, ny = normals[-1]
            scale = 1.0
        else:
            (ax, ay), (bx, by) = normals[i - 1], normals[i]
            mx, my = ax + bx, ay + by
            norm = math.hypot(mx, my)
            if norm < 1e-9:  # the line turns back on itself
                nx, ny, scale = ax, ay, 1.0
            else:
                nx, ny = mx / norm, my / norm
                cos_half = nx * ax + ny * ay
                scale = min(1.0 / max(cos_half, 1e-9), miter_limit)
        d = half_width_km * scale
        left.append((x + nx * d, y + ny * d))
        right.append((x - nx * d, y - ny * d))
    ring = left + right[::-1]
    return [(round(lat0 + y / ky, 6), round(lon0 + x / kx, 6)) for x, y in ring]


def bounds(points: Iterable[LatLon]) -> list[list[float]] | None:
    """Return ``[[south, west], [north, east]]`` of the points, or ``None`` if there are none.

    Examples
    --------
    >>> bounds([(39.8, 46.7), (39.5, 46.3)])
    [[39.5, 46.3], [39.8, 46.7]]
    >>> bounds([]) is None
    True
    """
    pts = list(points)
    if not pts:
        return None
    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]
