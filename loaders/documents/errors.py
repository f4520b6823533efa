"""The one error a document can raise while it is read: a file name and a one-line reason."""

from __future__ import annotations

import os


class DocumentError(Exception):
    """A source document that cannot be read; ``str()`` is one line naming the file and the reason."""

    def __init__(self, path: str | os.PathLike, reason: str) -> None:
        self.path = str(path).replace("\n", " ")
        self.reason = " ".join(str(reason).split())
        super().__init__(f"{self.path}: {self.reason}")

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"
