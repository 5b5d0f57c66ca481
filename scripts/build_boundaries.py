"""Convert the region boundaries of cahyadsn/wilayah_boundaries (MIT) into the simplified GeoJSON
the maps read (app/maps/boundaries/), keyed by our region codes.

    .venv/bin/python scripts/build_boundaries.py [SOURCE] [--out app/maps/boundaries]

SOURCE (default ../shared/data/wilayah-boundaries) holds `prov/`, `kab/` and `kec/`, each file a
MySQL INSERT of (kode, nama, lat, lng, path) whose path lists polygons of [latitude, longitude]
points. Run it again after a new decree's release of that data set: it rewrites every file and
prints what changed in size and which codes it could not read.

Each level is simplified with its own tolerance (degrees; ~1 km at 0.01) so that a map of its
regions stays small: all 514 regencies together well under 1 MB, the districts per province.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import shutil
import sys

from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.validation import make_valid

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "wilayah-boundaries"
OUT = ROOT / "app" / "maps" / "boundaries"

#: (source folder, output name, simplification tolerance in degrees, decimals kept)
LEVELS = (
    ("prov", "provinces", 0.02, 3),
    ("kab", "regencies", 0.012, 3),
    ("kec", "districts", 0.0006, 4),
)
ROW = re.compile(
    r"\(\s*'([\d.]+)'\s*,\s*'((?:[^'\\]|\\.|'')*)'\s*,\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*,\s*'(\[.*?\])'\s*\)"
)


def read_rows(folder: pathlib.Path):
    """(code, name, polygons as lists of [lat, lng] rings) of every row of every file."""
    for path in sorted(folder.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        for match in ROW.finditer(text):
            code, name, _lat, _lng, points = match.groups()
            yield code, name.replace("''", "'").replace("\\'", "'"), json.loads(points)


def _rings(nested) -> list[list]:
    """The source nests rings at varying depth: collect every list of points."""
    if nested and isinstance(nested[0], (int, float)):
        raise ValueError("a point where a ring was expected")
    if nested and isinstance(nested[0][0], (int, float)):
        return [nested]
    found = []
    for item in nested:
        found.extend(_rings(item))
    return found


def geometry(path, tolerance: float):
    """One (multi)polygon: every ring a polygon of its own (the source has no holes worth
    keeping at map scale), [lat, lng] turned into (lng, lat), repaired and simplified."""
    polygons = []
    for ring in _rings(path):
        points = [(float(lng), float(lat)) for lat, lng in ring]
        if len(points) >= 4:
            polygons.append(Polygon(points))
    shape = make_valid(MultiPolygon(polygons)) if polygons else None
    if shape is None or shape.is_empty:
        return None
    shape = shape.simplify(tolerance, preserve_topology=True)
    parts = [part for part in getattr(shape, "geoms", [shape]) if part.geom_type == "Polygon"]
    parts = [part for part in parts if part.area > (tolerance * tolerance) / 4] or parts
    return MultiPolygon(parts) if len(parts) > 1 else (parts[0] if parts else None)


def rounded(value, decimals: int):
    if isinstance(value, float):
        return round(value, decimals)
    return [rounded(item, decimals) for item in value]


def feature(code: str, name: str, shape, decimals: int) -> dict:
    shape_json = mapping(shape)
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name},
        "geometry": {
            "type": shape_json["type"],
            "coordinates": rounded(json.loads(json.dumps(shape_json["coordinates"])), decimals),
        },
    }


def write(path: pathlib.Path, features: list[dict]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    path.write_text(text + "\n", encoding="utf-8")
    return len(text.encode())


def build(source: pathlib.Path, out: pathlib.Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for folder, name, tolerance, decimals in LEVELS:
        features, unreadable = [], []
        for code, region_name, path in read_rows(source / folder):
            shape = geometry(path, tolerance)
            if shape is None:
                unreadable.append(code)
                continue
            features.append(feature(code, region_name, shape, decimals))
        features.sort(key=lambda item: item["properties"]["code"])
        if name == "districts":
            sizes = []
            by_province: dict[str, list] = {}
            for item in features:
                by_province.setdefault(item["properties"]["code"][:2], []).append(item)
            for province, items in by_province.items():
                sizes.append(write(out / name / f"{province}.geojson", items))
            print(
                f"{name}: {len(features)} shapes in {len(sizes)} files, "
                f"largest {max(sizes) / 1e6:.2f} MB, together {sum(sizes) / 1e6:.2f} MB"
            )
        else:
            size = write(out / f"{name}.geojson", features)
            print(f"{name}: {len(features)} shapes, {size / 1e6:.2f} MB")
        if unreadable:
            print(f"  without a usable shape: {', '.join(unreadable)}")
    shutil.copyfile(source / "LICENSE", out / "LICENSE")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=pathlib.Path, default=SOURCE)
    parser.add_argument("--out", type=pathlib.Path, default=OUT)
    arguments = parser.parse_args(argv)
    if not (arguments.source / "kab").is_dir():
        print(f"{arguments.source} holds no kab/ folder of boundaries", file=sys.stderr)
        return 2
    build(arguments.source, arguments.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
