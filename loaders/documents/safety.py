"""Guards for hostile input files, checked before anything is inflated or expanded.

- :func:`check_zip` reads a ZIP package's central directory (nothing is decompressed) and refuses
  one whose members would inflate past a size cap or by an implausible ratio (a "zip bomb").
  Python's ``zipfile`` stops each member at the size its directory entry declares, so the check
  bounds what reading the package can cost.
- :func:`check_xml` refuses XML (RDF/XML included) whose document type declares entities: the
  RDF/XML parser expands internal entities, so a few hundred bytes could become gigabytes of
  literal text ("billion laughs"). It reads only the prolog, in chunks, with entity resolution,
  DTD loading and network access off, so it costs constant memory whatever the file's size.

Both raise :class:`UnsafeInput` (a ``ValueError``) with a one-line reason.
"""

from __future__ import annotations

import io
import zipfile

#: Most bytes the members of one ZIP package (a .docx) may inflate to.
MAX_INFLATED = 200 * 1024 * 1024
#: Largest inflated/compressed ratio of a member (text compresses ~10x; bombs 1000x and more).
MAX_RATIO = 200
#: Most members in one package.
MAX_MEMBERS = 10_000


class UnsafeInput(ValueError):
    """Input refused before it could exhaust memory or time."""


def check_zip(data: bytes, max_inflated: int = MAX_INFLATED, max_ratio: int = MAX_RATIO,
              max_members: int = MAX_MEMBERS) -> None:
    """Refuse a ZIP package that would inflate past ``max_inflated`` bytes or by ``max_ratio``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnsafeInput(f"not a readable ZIP package: {exc}") from None
    if len(members) > max_members:
        raise UnsafeInput(f"ZIP package has {len(members)} members; at most {max_members} are accepted")
    total = 0
    for member in members:
        total += member.file_size
        if total > max_inflated:
            raise UnsafeInput(f"ZIP package would inflate to over {max_inflated} bytes (a zip bomb?); refused")
        if member.file_size > 1024 * 1024 and member.file_size > max_ratio * max(member.compress_size, 1):
            raise UnsafeInput(f"ZIP member {member.filename!r} inflates {member.file_size // max(member.compress_size, 1)}"
                              f" times (over {max_ratio}: a zip bomb?); refused")


def check_xml(data: bytes, chunk: int = 64 * 1024) -> None:
    """Refuse XML whose document type declares entities (internal or external); read the prolog only."""
    from lxml import etree

    parser = etree.XMLPullParser(events=("start",), resolve_entities=False, load_dtd=False, no_network=True,
                                 huge_tree=False)
    try:
        for offset in range(0, max(len(data), 1), chunk):
            parser.feed(data[offset:offset + chunk])
            for _event, element in parser.read_events():
                dtd = element.getroottree().docinfo.internalDTD
                if dtd is not None and any(True for _ in dtd.iterentities()):
                    raise UnsafeInput("XML declares entities in its document type (entity expansion is refused)")
                return
    except etree.XMLSyntaxError as exc:
        if "entity" in str(exc).lower():
            raise UnsafeInput(f"XML with entity declarations or references is refused: {exc}") from None
        raise UnsafeInput(f"not well-formed XML: {exc}") from None
