"""Find the documents of a batch: local files and folders, and ``s3://bucket/prefix`` locations."""

from __future__ import annotations

from pathlib import Path

from .storage import S3Options, StorageError, is_s3, list_files


class SourceError(ValueError):
    """An input location that does not exist or cannot be listed: the run stops before it starts."""


def discover(inputs: list[str | Path], s3: S3Options = S3Options()) -> list[str]:
    """The URI of every document under the inputs, recursively, in a stable order, once each.

    Local files come back as ``file://`` URIs, S3 objects as ``s3://bucket/key``. All files
    count, whatever their extension: a file that is not a document becomes an error row with
    its reason, not a silent skip. Hidden files (dot files) are left out."""
    found: dict[str, None] = {}
    for item in inputs:
        for uri in _s3_objects(str(item), s3) if is_s3(item) else _local_files(Path(item).expanduser()):
            found.setdefault(uri)
    return list(found)


def normalise(inputs: list[str | Path]) -> list[str]:
    """The inputs as a job names them: absolute local paths, S3 URIs as given."""
    return [str(i) if is_s3(i) else str(Path(i).expanduser().resolve()) for i in inputs]


def _local_files(root: Path) -> list[str]:
    if root.is_file():
        candidates = [root]
    elif root.is_dir():
        candidates = sorted(p for p in root.rglob("*") if p.is_file())
    else:
        raise SourceError(f"input not found: {root}")
    return [p.resolve().as_uri() for p in candidates
            if not any(part.startswith(".") for part in p.relative_to(root).parts)]


def _s3_objects(uri: str, s3: S3Options) -> list[str]:
    try:
        return [key for key, _size in list_files(uri, s3)]
    except StorageError as exc:
        raise SourceError(str(exc)) from None
