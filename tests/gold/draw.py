"""Draw a held-out group: pages of tests/fixtures/corpus-dev/ in no other gold file and named by no test.

Run from the repository root: ``python tests/gold/draw.py heldout-e --seed 20261204``. The group's
folder holds ``strata.yaml``: a list of ``{name, pattern, quota}``; the first stratum (pattern null)
takes the pages without a ``#`` title (full texts). Pages are put in strata by the words of their
``#`` title (first matching stratum wins), then a seeded random choice takes the quota of each
stratum (a stratum with fewer pages gives all it has). The pool is what no gold file outside the
group and no test module names at the time of drawing, so a group drawn later never repeats an
earlier one (and an earlier draw is not reproduced once later groups exist).
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "gold"
CORPUS = ROOT / "tests" / "fixtures" / "corpus-dev"


def load_strata(group: str) -> list[tuple[str, str | None, int]]:
    """The (stratum, title pattern, quota) list of one group, from its ``strata.yaml``."""
    rows = yaml.safe_load((GOLD / group / "strata.yaml").read_text(encoding="utf-8"))
    return [(row["name"], row.get("pattern"), int(row["quota"])) for row in rows]


def used_ids(group: str) -> set[str]:
    """Page ids named in any gold file outside ``group`` or in any test module (pages already seen)."""
    text = ""
    for path in list(GOLD.rglob("*.yaml")) + list((ROOT / "tests").glob("*.py")):
        if group not in path.relative_to(ROOT).parts:
            text += path.read_text(encoding="utf-8")
    return {m.group(0)[:8] for m in re.finditer(r"\b[0-9a-f]{8,16}\b", text)}


def stratum(path: Path, strata: list[tuple[str, str | None, int]]) -> str:
    """The stratum of one page ("encyclopaedia" pages are not a kind of planning text: never drawn)."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("# "):
        return strata[0][0]
    if "|---" in text[:600] or len(text) > 30000:
        return "encyclopaedia"
    title = text.splitlines()[0].lower()
    for name, pattern, _ in strata[1:]:
        if pattern and re.search(pattern, title):
            return name
    return strata[-1][0]


def draw(group: str, seed: int) -> dict[str, tuple[int, list[str]]]:
    """Stratum → (pages in its pool, the pages drawn) for ``group`` with ``seed``."""
    strata = load_strata(group)
    seen = used_ids(group)
    pool: dict[str, list[str]] = {}
    for path in sorted(CORPUS.glob("*.md")):
        if path.name != "README.md" and path.stem[:8] not in seen:
            pool.setdefault(stratum(path, strata), []).append(path.name)
    rng = random.Random(seed)
    drawn = {}
    for name, _, quota in strata:
        pages = pool.get(name, [])
        drawn[name] = (len(pages), sorted(rng.sample(pages, min(quota, len(pages)))))
    drawn["encyclopaedia"] = (len(pool.get("encyclopaedia", [])), [])
    return drawn


def main() -> None:
    """Print the strata and the drawn pages."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("group", help="folder under tests/gold/ holding strata.yaml (e.g. heldout-e)")
    parser.add_argument("--seed", type=int, required=True)
    args = parser.parse_args()
    if not (GOLD / args.group / "strata.yaml").is_file():
        parser.error(f"no strata file: tests/gold/{args.group}/strata.yaml")
    for name, (size, pages) in draw(args.group, args.seed).items():
        print(f"{name} ({size} in pool): {' '.join(pages) or 'not drawn'}")


if __name__ == "__main__":
    main()
