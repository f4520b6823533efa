"""Front-end code from the npm registry: ``quyhoach assets`` installs the query editor (YASGUI).

``api/vendor-src/`` holds a ``package.json`` and its ``package-lock.json`` (committed); the
installed packages (``node_modules/``) and the copied build (``api/static/vendor/``, served at
``/static/vendor/``) are not. ``npm ci`` installs exactly the locked versions (with
``--ignore-scripts``: no package runs code at install time), then the prebuilt files are copied.
Without them the editor page is the plain form; with them it loads YASGUI from this server only
(no CDN), so it works offline.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from quyhoach.errors import UserError

HERE = Path(__file__).resolve().parent
VENDOR_SRC = HERE / "vendor-src"
VENDOR_OUT = HERE / "static" / "vendor"
#: Files copied from ``node_modules`` into the served folder: source -> name.
FILES = {
    "@zazuko/yasgui/build/yasgui.min.js": "yasgui.min.js",
    "@zazuko/yasgui/build/yasgui.min.css": "yasgui.min.css",
}
PACKAGES = ("@zazuko/yasgui",)


def vendor_ready(folder: Path = VENDOR_OUT) -> bool:
    """Whether the editor's front-end files are installed (the editor then uses YASGUI)."""
    return all((folder / name).is_file() for name in FILES.values())


def install(source: Path = VENDOR_SRC, dest: Path = VENDOR_OUT, skip_npm: bool = False, npm: str | None = None) -> dict:
    """Run ``npm ci`` in ``source`` (unless ``skip_npm``) and copy the built files to ``dest``.

    Returns the manifest written to ``dest/manifest.json`` (package versions and files).
    Raises :class:`UserError` when npm is missing or fails, or a file is not where expected.
    """
    if not (source / "package-lock.json").is_file():
        raise UserError(f"{source}: no package-lock.json")
    if not skip_npm:
        npm = npm or shutil.which("npm")
        if not npm:
            raise UserError("npm is not installed: the editor keeps its plain text-area (install Node.js/npm, "
                            "then run `quyhoach assets`)")
        done = subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=source, capture_output=True, text=True, check=False,
        )
        if done.returncode != 0:
            raise UserError(f"npm ci failed in {source} (exit {done.returncode}): {done.stderr.strip()[-800:]}")
    modules = source / "node_modules"
    missing = [name for name in FILES if not (modules / name).is_file()]
    if missing:
        raise UserError(f"not installed: {', '.join(missing)} (run without --skip-npm)")
    dest.mkdir(parents=True, exist_ok=True)
    for name, target in FILES.items():
        shutil.copyfile(modules / name, dest / target)
    versions = {}
    for package in PACKAGES:
        meta = json.loads((modules / package / "package.json").read_text(encoding="utf-8"))
        versions[package] = {"version": meta.get("version"), "license": meta.get("license")}
    manifest = {"packages": versions, "files": sorted(FILES.values())}
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def installed_versions(folder: Path = VENDOR_OUT) -> dict:
    """Package versions of the installed front-end files (empty when not installed)."""
    try:
        return json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("packages", {})
    except (OSError, ValueError):
        return {}
