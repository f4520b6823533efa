"""A small offline map: WKT points plotted as SVG (no tiles, no CDN), a corridor as a line."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

POINT = re.compile(r"POINT\s*(?:Z\s*)?\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)", re.IGNORECASE)
WIDTH, HEIGHT, PAD = 480, 360, 24


@dataclass
class Place:
    """A point to plot: where it links, what it is called, its role on this map."""

    iri: str
    label: str
    lon: float
    lat: float
    role: str = "related"  # 'self' | 'stop' | 'related'
    order: int | None = None
    x: float = 0.0
    y: float = 0.0


def parse_point(wkt: str) -> tuple[float, float] | None:
    """``(lon, lat)`` of a WKT POINT (an optional CRS IRI prefix is ignored), else ``None``."""
    match = POINT.search(wkt)
    if not match:
        return None
    lon, lat = float(match.group(1)), float(match.group(2))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return lon, lat


@dataclass
class SvgMap:
    """Places with screen coordinates, and the polyline through the ordered stops."""

    places: list[Place]
    line: str
    width: int = WIDTH
    height: int = HEIGHT


def layout(places: list[Place]) -> SvgMap | None:
    """Fit the places into the drawing (equirectangular, scaled by the cosine of the latitude)."""
    if not places:
        return None
    lons = [p.lon for p in places]
    lats = [p.lat for p in places]
    mid = math.radians((min(lats) + max(lats)) / 2)
    kx = math.cos(mid)
    span_x = max((max(lons) - min(lons)) * kx, 0.5)
    span_y = max(max(lats) - min(lats), 0.5)
    scale = min((WIDTH - 2 * PAD) / span_x, (HEIGHT - 2 * PAD) / span_y)
    cx, cy = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
    for p in places:
        p.x = round(WIDTH / 2 + (p.lon - cx) * kx * scale, 1)
        p.y = round(HEIGHT / 2 - (p.lat - cy) * scale, 1)
    stops = sorted((p for p in places if p.role == "stop"), key=lambda p: (p.order is None, p.order or 0))
    line = " ".join(f"{p.x},{p.y}" for p in stops) if len(stops) > 1 else ""
    return SvgMap(places, line)
