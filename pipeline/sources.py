"""Find the documents of a batch: files and folders given on the command line or by a flow."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SourceFile:
    """One input document: where it came from (``uri``) and where its bytes are (``path``)."""

    uri: str
    path: Path


class SourceError(ValueError):
    """An input location that does not exist: the run stops before it starts."""


def discover(inputs: list[str | Path]) -> list[SourceFile]:
    """Every file under the inputs, recursively, in a stable order, once each.

    All files count, whatever their extension: a file that is not a document becomes an error
    row with its reason, not a silent skip. Hidden files (dot files) are left out."""
    found: dict[Path, SourceFile] = {}
    for item in inputs:
        root = Path(item).expanduser()
        if root.is_file():
            candidates = [root]
        elif root.is_dir():
            candidates = sorted(p for p in root.rglob("*") if p.is_file())
        else:
            raise SourceError(f"input not found: {item}")
        for path in candidates:
            if any(part.startswith(".") for part in path.relative_to(root).parts):
                continue
            resolved = path.resolve()
            found.setdefault(resolved, SourceFile(uri=resolved.as_uri(), path=resolved))
    return list(found.values())
