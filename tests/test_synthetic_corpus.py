"""The synthetic national corpus: deterministic, and ``quyhoach check`` finds exactly what was planted."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO, run_cli

GENERATE = REPO / "benchmarks" / "generate.py"


def _generate(out, quads="20k", seed=3):
    subprocess.run([sys.executable, str(GENERATE), "--quads", quads, "--seed", str(seed), "-o", str(out)],
                   check=True, capture_output=True, text=True)
    return json.loads(out.with_name(out.name.split(".")[0] + ".manifest.json").read_text(encoding="utf-8"))


def test_generation_is_seeded_and_deterministic(tmp_path):
    first = _generate(tmp_path / "a.nq", "5k", 7)
    second = _generate(tmp_path / "b.nq", "5k", 7)
    assert (tmp_path / "a.nq").read_bytes() == (tmp_path / "b.nq").read_bytes()
    assert first["expected"] == second["expected"]
    other = _generate(tmp_path / "c.nq", "5k", 8)
    assert (tmp_path / "c.nq").read_bytes() != (tmp_path / "a.nq").read_bytes()
    assert first["provinces"] == other["provinces"] == {"2025": 34, "before 2025": 63}
    assert first["regions"] == 6


def test_check_finds_exactly_the_planted_inconsistencies(tmp_path):
    data = tmp_path / "national.nq"
    manifest = _generate(data)
    assert 18_000 <= manifest["quads"] <= 24_000
    planted_kinds = {p["check"] for p in manifest["planted"]}
    store = tmp_path / "store"
    result = run_cli("load", str(data), store=store)
    assert result.returncode == 0, result.stderr
    report_path = tmp_path / "report.json"
    result = run_cli("check", "--format", "json", "-o", str(report_path), "--param", f"today={manifest['today']}",
                     "--fail-on", "never", store=store, timeout=1800)
    assert result.returncode == 0, result.stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))
    checks = {c["name"] for c in report["checks"]}
    assert checks <= planted_kinds | {"plan-implementation-lag"}, checks - planted_kinds  # a kind of every check
    assert planted_kinds <= checks
    expected = {tuple(e) for e in manifest["expected"]}
    matched: set[tuple[str, str]] = set()
    extra = []
    for finding in report["findings"]:
        iris = {e["iri"] for e in finding["entities"]}
        hits = {e for e in expected if e[0] == finding["check"] and e[1] in iris}
        if not hits:
            extra.append((finding["check"], sorted(iris)[:3], finding["message_en"][:120]))
        matched |= hits
    assert not extra, extra
    assert expected == matched, sorted(expected - matched)
