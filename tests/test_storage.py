"""pipeline.storage on real parts: local folders and moto's S3 server on loopback, through boto3
and pyarrow. Faults come from real parts too: a closed port, a missing bucket, and a small
loopback proxy that answers 503 or cuts a response body short."""

from __future__ import annotations

import http.client
import os
import pickle
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.storage import S3Options, StorageError, Store, _client, is_s3, list_files, read_bytes
from s3_server import S3Bucket

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def spool_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temp folder for S3 upload spools, so tests can see that nothing is left behind."""
    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path, spool_dir: Path) -> Store:
    """The same tests on a local folder and on an s3://bucket/prefix."""
    if request.param == "local":
        return Store(tmp_path / "out")
    bucket: S3Bucket = request.getfixturevalue("s3_bucket")
    return Store(bucket.uri("runs/out"), bucket.options)


def leftovers(store: Store, tmp_path: Path) -> list[str]:
    """Everything really there under the store root and in the spool folder, temp files included."""
    spooled = [p.name for p in (tmp_path / "spool").iterdir()]
    if is_s3(store.root):
        bucket, _, _ = store.root[5:].partition("/")
        client = _client(store.s3)
        uploads = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        keys = client.list_objects_v2(Bucket=bucket).get("Contents", [])
        return spooled + [u["Key"] for u in uploads] + [k["Key"] for k in keys]
    root = Path(store.path(""))
    return spooled + [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]


def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- Store on both backends ----------------------------------------------------------------


def test_write_atomic_round_trip(store: Store, tmp_path: Path) -> None:
    with store.write_atomic("a/b/data.bin") as stream:
        stream.write(b"hello ")
        stream.write(b"world")
    assert store.read("a/b/data.bin") == b"hello world"
    assert store.exists("a/b/data.bin")
    assert store.list() == ["a/b/data.bin"]
    assert not list((tmp_path / "spool").iterdir())


def test_exception_in_write_atomic_leaves_nothing(store: Store, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        with store.write_atomic("part.parquet") as stream:
            stream.write(b"x" * 100_000)
            raise RuntimeError("boom")
    assert not store.exists("part.parquet")
    assert store.list() == []
    assert leftovers(store, tmp_path) == []


def test_failed_overwrite_keeps_the_old_file(store: Store) -> None:
    with store.write_atomic("f.txt") as stream:
        stream.write(b"old")
    with pytest.raises(RuntimeError):
        with store.write_atomic("f.txt") as stream:
            stream.write(b"new, but only half of it")
            raise RuntimeError("cut")
    assert store.read("f.txt") == b"old"
    assert store.list() == ["f.txt"]


def test_large_file_round_trips(store: Store, tmp_path: Path) -> None:
    data = os.urandom(20 * 1024 * 1024)
    with store.write_atomic("big.bin") as stream:
        for start in range(0, len(data), 1024 * 1024):
            stream.write(data[start:start + 1024 * 1024])
    assert store.read("big.bin") == data
    if is_s3(store.root):  # a multipart upload's ETag is "<md5 of part md5s>-<part count>"
        bucket, _, prefix = store.root[5:].partition("/")
        etag = _client(store.s3).head_object(Bucket=bucket, Key=f"{prefix}/big.bin")["ETag"]
        assert etag.strip('"').endswith("-3")
    assert store.list() == ["big.bin"]
    assert not list((tmp_path / "spool").iterdir())


def test_put_if_absent_first_writer_wins(store: Store, tmp_path: Path) -> None:
    assert store.put_if_absent("_commits/run-1.json", b"first") is True
    assert store.put_if_absent("_commits/run-1.json", b"second") is False
    assert store.read("_commits/run-1.json") == b"first"
    assert store.list("_commits") == ["_commits/run-1.json"]
    assert not [p for p in leftovers(store, tmp_path) if p.endswith(".tmp")]


def test_put_if_absent_race_has_one_winner(store: Store) -> None:
    # On S3 the atomicity is the server's. moto checks If-None-Match and then stores, without
    # a lock; with the GIL it has not let two writers through (0 in 3000 two-thread rounds).
    writers = 8
    barrier = threading.Barrier(writers)
    outcomes: dict[int, bool] = {}

    def write(n: int) -> None:
        barrier.wait()
        outcomes[n] = store.put_if_absent("_commits/race.json", f"writer {n}".encode())

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [n for n, won in outcomes.items() if won]
    assert len(outcomes) == writers and len(winners) == 1
    assert store.read("_commits/race.json") == f"writer {winners[0]}".encode()


def test_list_is_recursive_sorted_and_skips_temp_files(store: Store) -> None:
    for rel in ["b/2.txt", "a/z/3.txt", "c.txt", "a/1.txt"]:
        store.put_if_absent(rel, rel.encode())
    # A temp file of a write still in progress (or of a crashed one), made the plain way.
    if is_s3(store.root):
        bucket, _, prefix = store.root[5:].partition("/")
        _client(store.s3).put_object(Bucket=bucket, Key=f"{prefix}/a/.1.txt.0123.tmp", Body=b"half")
    else:
        Path(store.path("a/.1.txt.0123.tmp")).write_bytes(b"half")
    assert store.list() == ["a/1.txt", "a/z/3.txt", "b/2.txt", "c.txt"]
    assert store.list("a") == ["a/1.txt", "a/z/3.txt"]
    assert store.list("a/z/") == ["a/z/3.txt"]
    assert store.list("nothing/here") == []


def test_delete(store: Store, tmp_path: Path) -> None:
    store.put_if_absent("x/y/file.txt", b"1")
    store.delete("x/y/file.txt")
    store.delete("x/y/file.txt")  # already gone: no error
    store.delete("never/was.txt")
    assert not store.exists("x/y/file.txt")
    assert store.list() == []
    if is_s3(store.root):  # and no "x/y/" directory marker left behind
        assert leftovers(store, tmp_path) == []


def test_read_missing_file_names_it(store: Store) -> None:
    with pytest.raises(StorageError, match="no such file") as caught:
        store.read("nope/missing.json")
    assert store.uri("nope/missing.json") in str(caught.value)
    assert not store.exists("nope/missing.json")


def test_parquet_through_write_atomic(store: Store) -> None:
    table = pa.table({"document_id": ["a", "b", "c"], "total": [1.5, 2.0, None]})
    with store.write_atomic("results/run_date=2026-11-28/part-1.parquet") as stream:
        with pq.ParquetWriter(stream, table.schema, compression="zstd") as writer:
            writer.write_table(table.slice(0, 2))
            writer.write_table(table.slice(2))
    rel = "results/run_date=2026-11-28/part-1.parquet"
    read = pq.read_table(store.path(rel), filesystem=store.filesystem)
    assert read.select(["document_id", "total"]).equals(table)
    assert pq.ParquetFile(store.filesystem.open_input_file(store.path(rel))).num_row_groups == 2


def test_paths_and_uris(store: Store) -> None:
    if is_s3(store.root):
        bucket = store.root[5:].split("/")[0]
        assert store.path("a/b.txt") == f"{bucket}/runs/out/a/b.txt"
        assert store.uri("a/b.txt") == f"s3://{bucket}/runs/out/a/b.txt"
    else:
        assert store.uri("a/b.txt") == store.path("a/b.txt")
        assert Path(store.uri("a/b.txt")).is_absolute()
    with pytest.raises(ValueError):
        store.path("../outside.txt")


# -- Store: S3 only --------------------------------------------------------------------------


def test_store_on_a_missing_bucket(s3_server, spool_dir: Path) -> None:  # noqa: F811
    store = Store("s3://no-such-bucket-here/out", s3_server.options())
    with pytest.raises(StorageError, match="no-such-bucket-here.*does not exist"):
        store.list()
    with pytest.raises(StorageError, match="NoSuchBucket"):
        with store.write_atomic("f.txt") as stream:
            stream.write(b"1")
    with pytest.raises(StorageError, match="NoSuchBucket"):
        store.put_if_absent("f.txt", b"1")


def test_store_in_another_process_then_clean_exit(s3_bucket: S3Bucket, tmp_path: Path) -> None:  # noqa: F811
    # A worker gets the Store pickled, uses pyarrow's S3 and boto3 side by side, and exits
    # with both still referenced from module globals: no finalize_s3 errors at exit.
    store = Store(s3_bucket.uri("out"), s3_bucket.options)
    with store.write_atomic("t.parquet") as stream:
        pq.write_table(pa.table({"n": [1, 2, 3]}), stream)
    (tmp_path / "store.pickle").write_bytes(pickle.dumps(store))
    script = (
        "import pickle, sys, pyarrow.parquet as pq\n"
        "from pipeline.storage import read_bytes\n"
        "STORE = pickle.load(open(sys.argv[1], 'rb'))\n"
        "print(pq.read_table(STORE.path('t.parquet'), filesystem=STORE.filesystem)['n'].to_pylist())\n"
        "print(len(read_bytes(STORE.uri('t.parquet'), STORE.s3)) > 0, STORE.put_if_absent('w.txt', b'w'))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "store.pickle")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["[1, 2, 3]", "True True"]
    assert done.stderr == ""
    assert store.read("w.txt") == b"w"


# -- read_bytes --------------------------------------------------------------------------------


def test_read_bytes_local_path_and_file_uri(tmp_path: Path) -> None:
    path = tmp_path / "with space é.pdf"
    path.write_bytes(b"%PDF-1.7 ...")
    assert read_bytes(str(path), S3Options()) == b"%PDF-1.7 ..."
    assert read_bytes(path.as_uri(), S3Options()) == b"%PDF-1.7 ..."
    with pytest.raises(StorageError, match="over the cap of 4"):
        read_bytes(path.as_uri(), S3Options(), max_bytes=4)
    with pytest.raises(StorageError, match="missing.pdf.*FileNotFoundError"):
        read_bytes(str(tmp_path / "missing.pdf"), S3Options())


def test_read_bytes_s3(s3_bucket: S3Bucket) -> None:  # noqa: F811
    s3_bucket.server.client.put_object(Bucket=s3_bucket.name, Key="in/a.pdf", Body=b"%PDF-1.7 abc")
    assert read_bytes(s3_bucket.uri("in/a.pdf"), s3_bucket.options) == b"%PDF-1.7 abc"
    assert read_bytes(s3_bucket.uri("in/a.pdf"), s3_bucket.options, max_bytes=12) == b"%PDF-1.7 abc"


def test_read_bytes_s3_cap_refuses_without_downloading(s3_bucket: S3Bucket) -> None:  # noqa: F811
    s3_bucket.server.client.put_object(Bucket=s3_bucket.name, Key="big.pdf", Body=b"x" * 1000)
    calls: list[str] = []
    events = _client(s3_bucket.options).meta.events
    events.register("before-call.s3.*", lambda model, **_: calls.append(model.name), unique_id="t-cap")
    try:
        with pytest.raises(StorageError, match="big.pdf: 1000 bytes, over the cap of 999"):
            read_bytes(s3_bucket.uri("big.pdf"), s3_bucket.options, max_bytes=999)
    finally:
        events.unregister("before-call.s3.*", unique_id="t-cap")
    assert calls == ["HeadObject"]


def test_read_bytes_s3_missing_key_and_bucket(s3_bucket: S3Bucket) -> None:  # noqa: F811
    with pytest.raises(StorageError, match="in/none.pdf: HTTP 404 Not Found"):
        read_bytes(s3_bucket.uri("in/none.pdf"), s3_bucket.options)
    with pytest.raises(StorageError, match="s3://no-such-bucket-x/a.pdf: HTTP 404"):
        read_bytes("s3://no-such-bucket-x/a.pdf", s3_bucket.options)


class FaultyProxy(ThreadingHTTPServer):
    """A loopback HTTP proxy in front of the S3 server that injects faults real servers have:
    ``faults`` maps a method to what its next requests get: "503" (SlowDown) or "cut" (the
    body stops halfway and the connection closes)."""

    def __init__(self, upstream: str, faults: dict[str, list[str]]) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream = urlparse(upstream)
        self.faults = faults
        self.seen: list[str] = []

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(BaseHTTPRequestHandler):
    server: FaultyProxy
    protocol_version = "HTTP/1.1"

    def do_HEAD(self) -> None:
        self._forward()

    def do_GET(self) -> None:
        self._forward()

    def _forward(self) -> None:
        fault = (self.server.faults.get(self.command) or [None]).pop(0)
        self.server.seen.append(f"{self.command} {fault or 'ok'}")
        if fault == "503":
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        upstream = http.client.HTTPConnection(self.server.upstream.hostname, self.server.upstream.port)
        upstream.request(self.command, self.path, headers=dict(self.headers))
        response = upstream.getresponse()
        body = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("server", "date", "connection"):
                self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if fault == "cut" else body)
        self.close_connection = fault == "cut"
        upstream.close()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def faulty_proxy(s3_server) -> Iterator[FaultyProxy]:  # noqa: F811
    proxy = FaultyProxy(s3_server.endpoint_url, {})
    thread = threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield proxy
    proxy.shutdown()
    proxy.server_close()


def test_read_bytes_s3_retries_throttling_and_cut_bodies(s3_bucket: S3Bucket, faulty_proxy: FaultyProxy) -> None:  # noqa: F811
    data = os.urandom(200_000)
    s3_bucket.server.client.put_object(Bucket=s3_bucket.name, Key="in/scan.tif", Body=data)
    faulty_proxy.faults.update({"HEAD": ["503"], "GET": ["cut"]})
    options = S3Options(endpoint_url=faulty_proxy.endpoint_url, region="us-east-1", max_attempts=3)
    assert read_bytes(s3_bucket.uri("in/scan.tif"), options) == data
    assert faulty_proxy.seen == ["HEAD 503", "HEAD ok", "GET cut", "GET ok"]


def test_read_bytes_s3_gives_up_after_max_attempts(s3_bucket: S3Bucket, faulty_proxy: FaultyProxy) -> None:  # noqa: F811
    s3_bucket.server.client.put_object(Bucket=s3_bucket.name, Key="a.pdf", Body=b"x" * 1000)
    faulty_proxy.faults.update({"GET": ["cut", "cut"]})
    options = S3Options(endpoint_url=faulty_proxy.endpoint_url, region="us-east-1", max_attempts=2)
    with pytest.raises(StorageError, match="a.pdf"):
        read_bytes(s3_bucket.uri("a.pdf"), options)
    assert faulty_proxy.seen == ["HEAD ok", "GET cut", "GET cut"]


# -- list_files --------------------------------------------------------------------------------


def test_list_files_nested_prefix(s3_bucket: S3Bucket) -> None:  # noqa: F811
    client = s3_bucket.server.client
    for key, body in [("in/b.pdf", b"bb"), ("in/a.pdf", b"a"), ("in/sub/deeper/c.png", b"ccc"),
                      ("in/sub/", b""), ("in/.DS_Store", b"x"), ("in/.hidden/d.pdf", b"x"),
                      ("in/sub/.e.pdf", b"x"), ("inbox/not-mine.pdf", b"x"), ("other.pdf", b"x")]:
        client.put_object(Bucket=s3_bucket.name, Key=key, Body=body)
    expected = [(s3_bucket.uri("in/a.pdf"), 1), (s3_bucket.uri("in/b.pdf"), 2),
                (s3_bucket.uri("in/sub/deeper/c.png"), 3)]
    assert list_files(s3_bucket.uri("in"), s3_bucket.options) == expected
    assert list_files(s3_bucket.uri("in/"), s3_bucket.options) == expected
    assert len(list_files(s3_bucket.uri(), s3_bucket.options)) == 5
    assert list_files(s3_bucket.uri("in/b.pdf"), s3_bucket.options) == [(s3_bucket.uri("in/b.pdf"), 2)]
    assert list_files(s3_bucket.uri("nothing"), s3_bucket.options) == []


def test_list_files_follows_pages(s3_bucket: S3Bucket) -> None:  # noqa: F811
    # Pages of 2 keys instead of S3's 1000 (set on the request by an event hook): same
    # continuation tokens, 5 objects instead of 1001.
    keys = [f"many/{n}.pdf" for n in range(5)]
    for key in keys:
        s3_bucket.server.client.put_object(Bucket=s3_bucket.name, Key=key, Body=b"1")
    pages: list[int] = []

    def small_pages(params: dict, **_: object) -> None:
        params["MaxKeys"] = 2
        pages.append(1)

    events = _client(s3_bucket.options).meta.events
    events.register("provide-client-params.s3.ListObjectsV2", small_pages, unique_id="t-pages")
    try:
        found = list_files(s3_bucket.uri("many"), s3_bucket.options)
    finally:
        events.unregister("provide-client-params.s3.ListObjectsV2", unique_id="t-pages")
    assert [uri for uri, _ in found] == [s3_bucket.uri(key) for key in keys]
    assert len(pages) == 3


def test_list_files_missing_bucket(s3_server) -> None:  # noqa: F811
    with pytest.raises(StorageError, match="s3://no-such-bucket-y/in: NoSuchBucket"):
        list_files("s3://no-such-bucket-y/in", s3_server.options())


# -- an S3 endpoint with nothing listening -----------------------------------------------------


def test_unreachable_endpoint_fails_fast_and_clearly(s3_server, spool_dir: Path) -> None:  # noqa: F811
    endpoint = f"http://127.0.0.1:{closed_port()}"
    options = S3Options(endpoint_url=endpoint, region="us-east-1", max_attempts=2)
    store = Store("s3://bucket-x/out", options)
    calls = [
        lambda: read_bytes("s3://bucket-x/a.pdf", options),
        lambda: list_files("s3://bucket-x/in", options),
        lambda: store.put_if_absent("c.json", b"1"),
        lambda: store.read("a.txt"),
        lambda: store.list(),
    ]
    for call in calls:
        start = time.monotonic()
        with pytest.raises(StorageError) as caught:
            call()
        assert time.monotonic() - start < 15
        message = str(caught.value)
        assert "s3://bucket-x/" in message
        assert endpoint in message or "connect" in message.lower(), message


def test_endpoint_from_the_environment(s3_bucket: S3Bucket, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                                      spool_dir: Path) -> None:
    # S3Options() with no endpoint: AWS_ENDPOINT_URL (which boto3 reads) also reaches pyarrow.
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_bucket.server.endpoint_url)
    store = Store(s3_bucket.uri("env"), S3Options())
    with store.write_atomic("a.txt") as stream:
        stream.write(b"via env")
    assert store.list() == ["a.txt"]
    assert read_bytes(s3_bucket.uri("env/a.txt"), S3Options()) == b"via env"


def test_is_s3() -> None:
    assert is_s3("s3://bucket/key")
    assert not is_s3("/data/s3://x")
    assert not is_s3(Path("s3://bucket/key"))
    assert not is_s3("file:///tmp/a.pdf")
