"""The side-by-side load test at smoke size: real quyhoach, oxigraph and rdflib-endpoint servers.

No timing is asserted: only that every server answered the same point lookups without errors.
"""

from __future__ import annotations

import re
import shutil

import pytest

from quyhoach.api import loadtest
from tests.test_api_helpers import build_store

pytestmark = pytest.mark.skipif(not shutil.which("oxigraph") or not shutil.which("rdflib-endpoint"),
                                reason="needs the oxigraph and rdflib-endpoint commands (test extras)")


def test_loadtest_smoke(tmp_path, capsys):
    store = build_store(tmp_path / "store")
    code = loadtest.main(["--store", str(store), "--concurrency", "2", "--duration", "1", "--iris", "20",
                          "--page-clients", "2"])
    assert code == 0
    out = capsys.readouterr().out
    rows = {m.group(1): (int(m.group(2)), int(m.group(3)))
            for m in re.finditer(r"^\| (quyhoach|oxigraph|rdflib|entity pages|source views|search|autocomplete|home"
                                 r"|/reports/latest)(?: \(\d+\))? \| 2 \| (\d+) \|.*\| (\d+) \|$", out, re.M)}
    assert set(rows) == {"quyhoach", "oxigraph", "rdflib", "entity pages", "source views", "search", "autocomplete",
                         "home", "/reports/latest"}, out
    for name, (requests, errors) in rows.items():
        assert requests > 0, (name, out)
        assert errors == 0, (name, out)
