"""Find the documents to load: expand files and folders, attach ``metadata.yaml`` entries.

A folder is searched recursively; hidden files and folders (name starting with ``.``),
``metadata.yaml`` and ``README.md`` are skipped, as are files whose extension the reader does
not handle (when found in a folder; a file named explicitly is kept so that reading it can
report why it is refused). The metadata of a file comes from the ``metadata.yaml`` of its own
folder: a mapping with a ``documents`` list (or a plain list) of entries with ``file``,
``title``, ``kind``, ``publisher``, ``date``, ``url``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml

from quyhoach.loaders.documents.read import supported

METADATA_FILE = "metadata.yaml"
SKIPPED_NAMES = {"metadata.yaml", "metadata.yml", "readme.md", "__init__.py"}


@lru_cache(maxsize=256)
def _folder_metadata(folder: str, mtime: float) -> dict[str, dict]:
    path = Path(folder) / METADATA_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return {}
    entries = data.get("documents", []) if isinstance(data, dict) else data
    result: dict[str, dict] = {}
    for entry in entries or []:
        if isinstance(entry, dict) and entry.get("file"):
            result[str(entry["file"])] = dict(entry)
    return result


def metadata_for(path: Path) -> dict:
    """The ``metadata.yaml`` entry of ``path`` from its folder, or ``{}``."""
    meta_file = path.parent / METADATA_FILE
    try:
        mtime = meta_file.stat().st_mtime
    except OSError:
        return {}
    return dict(_folder_metadata(str(path.parent.resolve()), mtime).get(path.name, {}))


def _hidden(name: str) -> bool:
    return name.startswith(".")


def discover(paths: Iterable[str | os.PathLike]) -> list[tuple[Path, dict]]:
    """Expand ``paths`` into ``(file, metadata)`` pairs, sorted within each folder, no repeats."""
    found: list[tuple[Path, dict]] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve() if path.exists() else path
        if key in seen:
            return
        seen.add(key)
        found.append((path, metadata_for(path)))

    for item in paths:
        path = Path(item)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not _hidden(d) and d != "__pycache__")
                for name in sorted(files):
                    if _hidden(name) or name.lower() in SKIPPED_NAMES or not supported(name):
                        continue
                    add(Path(root) / name)
        else:
            add(path)
    return found
