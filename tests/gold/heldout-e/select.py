"""Draw held-out group E: 5 pages of tests/fixtures/corpus-dev/ in no gold file and named by no test.

Run from the repository root: ``python tests/gold/heldout-e/select.py --seed 20261204``.
Pages are put in strata by the words of their ``#`` title (first matching stratum wins), then a
seeded random choice takes the quota of each stratum (a stratum with fewer pages gives all it has).
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "fixtures" / "corpus-dev"

#: (stratum, title pattern, quota); "encyclopaedia" pages are not a kind of planning text: not drawn.
STRATA = [
    ("full-text", None, 1),
    ("transport-energy", r"điện|\bkv\b|năng lượng|lng|cao tốc|sân bay|cảng hàng không|đường sắt|\bcầu\b|"
     r"vành đai|metro|nhà ga|bến xe|hàng không|đường bộ|giao thông|cảng biển|bến cảng", 1),
    ("provincial-land-merger", r"sử dụng đất|sáp nhập|tỉnh thành|bản đồ|vùng kinh tế|cấp tỉnh|cấp xã", 1),
    ("project-zones", r"khu công nghiệp|cụm công nghiệp|khu kinh tế|khu du lịch|khu đô thị|dự án", 1),
    ("other-qa", r".", 1),
]


def used_ids() -> set[str]:
    """Page ids named in any gold file or any test module (pages already seen)."""
    text = ""
    for path in list((ROOT / "tests" / "gold").rglob("*.yaml")) + list((ROOT / "tests").glob("*.py")):
        if "heldout-e" not in path.relative_to(ROOT).parts:
            text += path.read_text(encoding="utf-8")
    return {m.group(0)[:8] for m in re.finditer(r"\b[0-9a-f]{8,16}\b", text)}


def stratum(path: Path) -> str:
    """The stratum of one page."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("# "):
        return "full-text"
    if "|---" in text[:600] or len(text) > 30000:
        return "encyclopaedia"
    title = text.splitlines()[0].lower()
    for name, pattern, _ in STRATA[1:]:
        if re.search(pattern, title):
            return name
    return "other-qa"


def main() -> None:
    """Print the strata and the drawn pages."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, required=True)
    args = parser.parse_args()
    seen = used_ids()
    pool: dict[str, list[str]] = {}
    for path in sorted(CORPUS.glob("*.md")):
        if path.name == "README.md" or path.stem[:8] in seen:
            continue
        pool.setdefault(stratum(path), []).append(path.name)
    rng = random.Random(args.seed)
    for name, _, quota in STRATA:
        pages = pool.get(name, [])
        drawn = sorted(rng.sample(pages, min(quota, len(pages))))
        print(f"{name} ({len(pages)} in pool): {' '.join(drawn)}")
    print(f"encyclopaedia ({len(pool.get('encyclopaedia', []))} in pool): not drawn")


if __name__ == "__main__":
    main()
