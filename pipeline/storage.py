"""Where bytes live: local paths and ``s3://bucket/prefix`` URIs, for inputs and for outputs.

Inputs are listed and read with boto3 (``list_files``, ``read_bytes``); an output location is a
``Store``: a pyarrow filesystem (what Parquet readers and writers take) plus the few operations
pyarrow cannot do safely on S3, done with boto3: an upload that appears complete or not at all,
a conditional put (the commit point of a run), and a delete that leaves no directory marker.

Credentials come from the standard AWS chain (environment, config files, instance roles), which
boto3 and pyarrow both follow. Nothing here holds a client in a picklable object: boto3 clients
are created lazily, once per process, so a Store can be sent to worker processes."""

from __future__ import annotations

import functools
import os
import random
import tempfile
import time
import uuid
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar
from urllib.parse import urlparse
from urllib.request import url2pathname

import boto3
import pyarrow as pa
import pyarrow.fs as pafs
from boto3.exceptions import S3UploadFailedError
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    IncompleteReadError,
    ReadTimeoutError,
    ResponseStreamingError,
)

S3_SCHEME = "s3://"
T = TypeVar("T")
# Failures while streaming a body arrive after botocore's retries are done: retried here.
_BODY_ERRORS = (ResponseStreamingError, IncompleteReadError, ReadTimeoutError, ConnectionClosedError)


@dataclass(frozen=True)
class S3Options:
    """How to reach S3. ``endpoint_url`` is for S3-compatible stores (MinIO, moto, R2...); None
    means AWS, or the ``AWS_ENDPOINT_URL_S3`` / ``AWS_ENDPOINT_URL`` environment variable."""

    endpoint_url: str | None = None
    region: str | None = None
    max_attempts: int = 5  # per request, exponential backoff on throttling, 5xx, connection errors


class StorageError(OSError):
    """A file or object that cannot be listed, read or written; the message names the URI."""


class FileTooLarge(StorageError):
    """A file over the size cap given to read_bytes, refused before it is downloaded."""


def is_s3(uri: str | Path) -> bool:
    """Whether ``uri`` is an ``s3://`` URI (a Path is always local)."""
    return isinstance(uri, str) and uri.startswith(S3_SCHEME)


def list_files(uri: str, s3: S3Options) -> list[tuple[str, int]]:
    """Every object under ``s3://bucket/prefix`` as ``(s3://bucket/key, size)``, sorted by key.

    The prefix is a folder: ``s3://b/in`` lists ``in/...``, not ``inbox/...``; a URI that names
    one object lists that object. Directory markers (keys ending in "/") and hidden files (a path
    part below the prefix starting with ".", as for local folders) are left out. A missing
    bucket or an unreachable endpoint raises StorageError."""
    bucket, key = _split_s3(uri)
    folder = key.rstrip("/") + "/" if key.strip("/") else ""
    client = _client(s3)
    found: list[tuple[str, int]] = []
    with _s3_errors(uri):
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=folder):
            for obj in page.get("Contents", []):
                below = obj["Key"][len(folder):]
                if not obj["Key"].endswith("/") and not any(p.startswith(".") for p in below.split("/")):
                    found.append((f"{S3_SCHEME}{bucket}/{obj['Key']}", obj["Size"]))
        if not found and key and not key.endswith("/"):
            found = _single_object(client, bucket, key)
    return sorted(found)


def read_bytes(uri: str, s3: S3Options, max_bytes: int | None = None) -> bytes:
    """The bytes of a local path, ``file://`` URI or ``s3://`` URI.

    Over ``max_bytes`` raises StorageError without reading the content (on S3 the size comes
    from a HEAD request). Transient S3 errors are retried; anything else raises StorageError
    with the reason (missing key, access denied, endpoint not reachable...)."""
    if is_s3(uri):
        return _read_s3(uri, s3, max_bytes)
    return _read_local(_local_path(uri), str(uri), max_bytes)


class Store:
    """An output location: a local folder or an ``s3://bucket/prefix``, through ``pyarrow.fs``
    (``filesystem``, ``path()``: what Parquet readers and writers take), plus boto3 where pyarrow
    falls short on S3 (atomic upload, conditional put, delete without directory markers)."""

    def __init__(self, root: str | Path, s3: S3Options = S3Options()) -> None:
        self.root = str(root)
        self.s3 = s3
        self._bucket: str | None
        if is_s3(root):
            self._bucket, prefix = _split_s3(str(root))
            self._base = f"{self._bucket}/{prefix.strip('/')}".rstrip("/")
            self.filesystem: pafs.FileSystem = _s3_filesystem(s3, self._bucket)
        else:
            self._bucket = None
            self._base = Path(root).expanduser().resolve().as_posix()
            self.filesystem = pafs.LocalFileSystem()

    def path(self, relpath: str) -> str:
        """The path of ``relpath`` in ``filesystem`` (for ``pq.read_table(..., filesystem=)``)."""
        relpath = _clean(relpath)
        return f"{self._base}/{relpath}" if relpath else self._base

    def uri(self, relpath: str) -> str:
        """A location a user can paste: ``s3://bucket/prefix/relpath`` or an absolute local path."""
        return S3_SCHEME + self.path(relpath) if self._bucket else self.path(relpath)

    @contextmanager
    def write_atomic(self, relpath: str) -> Iterator[pa.NativeFile]:
        """An output stream for ``relpath``; the file appears complete when the block ends
        without an exception, and not at all otherwise (an existing file stays as it was)."""
        writer = self._write_s3 if self._bucket else self._write_local
        with writer(_clean(relpath)) as stream:
            yield stream

    def put_if_absent(self, relpath: str, data: bytes) -> bool:
        """Create ``relpath`` holding ``data`` unless it exists, atomically: True if this call
        created it, False if it already existed. Of concurrent callers at most one gets True."""
        relpath = _clean(relpath)
        if self._bucket:
            return self._put_if_absent_s3(relpath, data)
        return self._put_if_absent_local(relpath, data)

    def read(self, relpath: str) -> bytes:
        """The content of ``relpath``; StorageError if it is missing or unreadable."""
        with self._fs_errors(relpath), self.filesystem.open_input_stream(self.path(relpath)) as stream:
            return stream.read()

    def exists(self, relpath: str) -> bool:
        """Whether ``relpath`` is a file."""
        with self._fs_errors(relpath):
            return self.filesystem.get_file_info(self.path(relpath)).type == pafs.FileType.File

    def list(self, relprefix: str = "") -> list[str]:
        """Relative paths of all files under the folder ``relprefix``, recursively, sorted;
        [] if it does not exist. Temp files of unfinished writes are left out."""
        base = self.path(relprefix)
        selector = pafs.FileSelector(base, recursive=True, allow_not_found=True)
        with self._fs_errors(relprefix):
            infos = self.filesystem.get_file_info(selector)
            if not infos:
                self._check_bucket()
        start = len(self._base) + 1
        return sorted(info.path[start:] for info in infos
                      if info.type == pafs.FileType.File and not _is_temp(info.base_name))

    def delete(self, relpath: str) -> None:
        """Remove ``relpath``; nothing happens if it does not exist."""
        relpath = _clean(relpath)
        if self._bucket:
            # pyarrow's delete_file would leave a "parent/" marker object behind.
            with _s3_errors(self.uri(relpath)):
                _client(self.s3).delete_object(Bucket=self._bucket, Key=self._key(relpath))
            return
        with self._fs_errors(relpath):
            Path(self.path(relpath)).unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"Store({self.root!r})"

    # -- local ---------------------------------------------------------------------------

    @contextmanager
    def _write_local(self, relpath: str) -> Iterator[pa.NativeFile]:
        final = Path(self.path(relpath))
        with self._fs_errors(relpath):
            temp = _temp_beside(final)
            stream = self.filesystem.open_output_stream(temp.as_posix())
        try:
            yield stream
            with self._fs_errors(relpath):
                stream.close()
                _fsync(temp)
                os.replace(temp, final)
                _fsync(final.parent)
        finally:
            if not stream.closed:
                stream.close()
            temp.unlink(missing_ok=True)

    def _put_if_absent_local(self, relpath: str, data: bytes) -> bool:
        final = Path(self.path(relpath))
        with self._fs_errors(relpath):
            temp = _temp_beside(final)
        try:
            temp.write_bytes(data)
            _fsync(temp)
            # link() fails if the name exists, and publishes a complete file in one step.
            os.link(temp, final)
            _fsync(final.parent)
            return True
        except FileExistsError:
            return False
        except OSError as exc:
            raise StorageError(f"{self.uri(relpath)}: cannot write: {exc.strerror or exc}") from exc
        finally:
            temp.unlink(missing_ok=True)

    # -- S3 ------------------------------------------------------------------------------

    @contextmanager
    def _write_s3(self, relpath: str) -> Iterator[pa.NativeFile]:
        # pyarrow 26's S3 output stream has no abort(): leaving the with-block, or dropping the
        # stream, closes it and publishes whatever was written. So spool to a local temp file
        # and upload it only on success (boto3 switches to multipart above 8 MB).
        fd, spool = tempfile.mkstemp(prefix=".docintel-", suffix=".tmp")
        os.close(fd)
        stream = pa.OSFile(spool, "wb")
        try:
            yield stream
            stream.close()
            with _s3_errors(self.uri(relpath)):
                _client(self.s3).upload_file(spool, self._bucket, self._key(relpath))
        finally:
            if not stream.closed:
                stream.close()
            os.unlink(spool)

    def _put_if_absent_s3(self, relpath: str, data: bytes) -> bool:
        client = _client(self.s3)

        def put() -> bool:
            try:
                client.put_object(Bucket=self._bucket, Key=self._key(relpath), Body=data, IfNoneMatch="*")
                return True
            except ClientError as exc:
                if _http_status(exc) == 412:  # PreconditionFailed: the key exists
                    return False
                raise

        # 409 ConditionalRequestConflict: a concurrent write to the key was in flight and AWS
        # says retry; answering False could leave no writer at all with True.
        with _s3_errors(self.uri(relpath)):
            return _retry(put, lambda exc: _http_status(exc) == 409, self.s3.max_attempts)

    def _key(self, relpath: str) -> str:
        return self.path(relpath).split("/", 1)[1]

    def _check_bucket(self) -> None:
        # pyarrow lists a missing bucket as empty; an output location that is not there must
        # not look like one with nothing in it.
        if self._bucket and self.filesystem.get_file_info(self._bucket).type == pafs.FileType.NotFound:
            raise StorageError(f"{self.root}: bucket {self._bucket!r} does not exist")

    @contextmanager
    def _fs_errors(self, relpath: str) -> Iterator[None]:
        try:
            yield
        except StorageError:
            raise
        except FileNotFoundError as exc:
            raise StorageError(f"{self.uri(relpath)}: no such file") from exc
        except OSError as exc:
            raise StorageError(f"{self.uri(relpath)}: {exc}") from exc


# -- helpers -----------------------------------------------------------------------------


def _split_s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri[len(S3_SCHEME):].partition("/")
    if not bucket:
        raise StorageError(f"{uri}: no bucket name in the URI")
    return bucket, key


def _clean(relpath: str) -> str:
    """A relative path inside the root: no leading "/", no ".." that would leave the root."""
    parts = [p for p in relpath.replace("\\", "/").split("/") if p not in ("", ".")]
    if relpath.startswith("/") or ".." in parts:
        raise ValueError(f"not a relative path inside the store: {relpath!r}")
    return "/".join(parts)


def _is_temp(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")


def _temp_beside(final: Path) -> Path:
    final.parent.mkdir(parents=True, exist_ok=True)
    return final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")


def _fsync(path: Path) -> None:
    # A committed file (or the name pointing at it) must survive a crash, not just a process exit.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _local_path(uri: str | Path) -> Path:
    text = str(uri)
    if not text.startswith("file:"):
        return Path(text).expanduser()
    parsed = urlparse(text)
    if parsed.netloc not in ("", "localhost"):
        raise StorageError(f"{text}: file URIs on other hosts are not supported")
    return Path(url2pathname(parsed.path))


def _read_local(path: Path, uri: str, max_bytes: int | None) -> bytes:
    try:
        size = path.stat().st_size
        _check_size(uri, size, max_bytes)
        with path.open("rb") as handle:
            # Read one byte past the cap: a file that grew since stat() is still refused.
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    except StorageError:
        raise
    except OSError as exc:
        raise StorageError(f"{uri}: {type(exc).__name__}: {exc.strerror or exc}") from exc
    _check_size(uri, len(data), max_bytes)
    return data


def _read_s3(uri: str, s3: S3Options, max_bytes: int | None) -> bytes:
    bucket, key = _split_s3(uri)
    client = _client(s3)

    def get() -> bytes:
        response = client.get_object(Bucket=bucket, Key=key)
        with closing(response["Body"]) as body:
            # The object may have been replaced since the HEAD: check the size again.
            _check_size(uri, response["ContentLength"], max_bytes)
            return body.read()

    with _s3_errors(uri):
        _check_size(uri, client.head_object(Bucket=bucket, Key=key)["ContentLength"], max_bytes)
        return _retry(get, lambda exc: isinstance(exc, _BODY_ERRORS), s3.max_attempts)


def _check_size(uri: str, size: int, max_bytes: int | None) -> None:
    if max_bytes is not None and size > max_bytes:
        raise FileTooLarge(f"{uri}: {size} bytes, over the cap of {max_bytes}")


def _single_object(client: Any, bucket: str, key: str) -> list[tuple[str, int]]:
    try:
        return [(f"{S3_SCHEME}{bucket}/{key}", client.head_object(Bucket=bucket, Key=key)["ContentLength"])]
    except ClientError as exc:
        if _http_status(exc) == 404:
            return []
        raise


@contextmanager
def _s3_errors(uri: str) -> Iterator[None]:
    """Turn boto3's exceptions into a StorageError naming the URI and the reason."""
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = str(error.get("Code", "")), error.get("Message") or str(exc)
        # HEAD answers carry no body: botocore reports only the status ("404", "Not Found").
        reason = f"HTTP {code} {message}" if code.isdigit() else f"{code}: {message}"
        raise StorageError(f"{uri}: {reason}") from exc
    except S3UploadFailedError as exc:
        raise StorageError(f"{uri}: upload failed: {exc}") from exc
    except BotoCoreError as exc:
        raise StorageError(f"{uri}: {type(exc).__name__}: {exc}") from exc


def _http_status(exc: BaseException | None) -> int | None:
    if isinstance(exc, ClientError):
        return exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return None


def _retry(call: Callable[[], T], transient: Callable[[Exception], bool], attempts: int) -> T:
    """``call()``, again after a jittered exponential backoff while it fails with a transient
    error, ``attempts`` times in all."""
    for attempt in range(1, attempts):
        try:
            return call()
        except Exception as exc:
            if not transient(exc):
                raise
        time.sleep(random.uniform(0, min(20.0, 0.1 * 2 ** attempt)))
    return call()


def _endpoint(s3: S3Options) -> str | None:
    # boto3 reads these variables itself; pyarrow is given the same endpoint explicitly.
    return s3.endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")


def _client(s3: S3Options) -> Any:
    """The boto3 S3 client for these options in this process."""
    return _cached_client(os.getpid(), _endpoint(s3), s3.region, s3.max_attempts)


@functools.lru_cache(maxsize=None)
def _cached_client(pid: int, endpoint: str | None, region: str | None, max_attempts: int) -> Any:
    # pid in the key: a forked worker builds its own client instead of sharing sockets.
    # A fresh Session per client: boto3's default session is not thread-safe.
    config = Config(retries={"mode": "standard", "max_attempts": max_attempts})
    return boto3.session.Session().client("s3", endpoint_url=endpoint, region_name=region, config=config)


def _s3_filesystem(s3: S3Options, bucket: str) -> pafs.S3FileSystem:
    endpoint = _endpoint(s3)
    retry = pafs.AwsStandardS3RetryStrategy(max_attempts=s3.max_attempts)
    if endpoint is None:
        # On AWS pyarrow does not follow a bucket to its region: ask where it is.
        region = s3.region or _resolve_region(bucket)
        return pafs.S3FileSystem(region=region, retry_strategy=retry)
    parsed = urlparse(endpoint if "://" in endpoint else f"https://{endpoint}")
    return pafs.S3FileSystem(endpoint_override=parsed.netloc, scheme=parsed.scheme, region=s3.region,
                             retry_strategy=retry)


def _resolve_region(bucket: str) -> str:
    try:
        return pafs.resolve_s3_region(bucket)
    except OSError as exc:
        raise StorageError(f"{S3_SCHEME}{bucket}: cannot find the bucket's region: {exc}") from exc
