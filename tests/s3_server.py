"""A real S3 server for tests: moto in server mode on 127.0.0.1, on a free port, for the session.

Fixtures: ``s3_server`` (the server, with fake credentials in the environment for the session)
and ``s3_bucket`` (a fresh, empty bucket per test, removed afterwards)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any, Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

from pipeline.storage import S3Options

# Fake credentials, and no way for boto3 or pyarrow to reach anything but the test server:
# no profile or endpoint from the developer's environment, no EC2 metadata lookups.
TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
}
UNSET_ENV = ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL",
             "AWS_ENDPOINT_URL_S3", "AWS_REGION"]


@dataclass
class S3Server:
    """A running moto server; ``client`` is a plain boto3 client on it for test setup and checks."""

    endpoint_url: str
    client: Any

    def options(self, max_attempts: int = 3) -> S3Options:
        """S3Options that point at this server."""
        return S3Options(endpoint_url=self.endpoint_url, region="us-east-1", max_attempts=max_attempts)

    def create_bucket(self, name: str | None = None) -> str:
        """Create a bucket (a fresh unique name unless given) and return its name."""
        name = name or f"test-{uuid.uuid4().hex[:16]}"
        self.client.create_bucket(Bucket=name)
        return name

    def remove_bucket(self, name: str) -> None:
        """Delete a bucket with everything in it, unfinished multipart uploads included."""
        for upload in self.client.list_multipart_uploads(Bucket=name).get("Uploads", []):
            self.client.abort_multipart_upload(Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"])
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=name):
            if page.get("Contents"):
                objects = [{"Key": obj["Key"]} for obj in page["Contents"]]
                self.client.delete_objects(Bucket=name, Delete={"Objects": objects, "Quiet": True})
        self.client.delete_bucket(Bucket=name)


@dataclass
class S3Bucket:
    """A test's own bucket on the server."""

    server: S3Server
    name: str
    options: S3Options

    def uri(self, key: str = "") -> str:
        """``s3://bucket/key``."""
        return f"s3://{self.name}/{key}"

    def keys(self) -> list[str]:
        """Every key in the bucket, sorted."""
        pages = self.server.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's S3 server on 127.0.0.1 (a free port) with fake credentials set for the session."""
    werkzeug_log = logging.getLogger("werkzeug")
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)  # one log line per request drowns real failures
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    with pytest.MonkeyPatch.context() as env:
        for name in UNSET_ENV:
            env.delenv(name, raising=False)
        for name, value in TEST_ENV.items():
            env.setenv(name, value)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        try:
            yield S3Server(endpoint, boto3.session.Session().client("s3", endpoint_url=endpoint))
        finally:
            server.stop()
            werkzeug_log.setLevel(level)


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> Iterator[S3Bucket]:
    """A fresh empty bucket for one test, with S3Options for the server (3 attempts)."""
    name = s3_server.create_bucket()
    yield S3Bucket(s3_server, name, s3_server.options())
    s3_server.remove_bucket(name)
