"""Layer sizes: zips read through HTTP Range requests, the Lambda API through boto3, and the cache file.

The fake AWS here is a local HTTP server: it serves zips built in the test as
S3 serves a layer's presigned URL (honouring Range, counting what it sends)
and answers Lambda's GetLayerVersionByArn, so the real boto3 client is used.
moto is not used: in 5.2.5 it does not implement get_layer_version_by_arn and
gives layers the location "s3://", which cannot be fetched.
"""

from __future__ import annotations

import functools
import io
import json
import os
import random
import re
import socket
import threading
import zipfile
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lambda_rules import layer_size
from lambda_rules.layer_size import READ_AHEAD, LayerSize, LayerSizeError

ARN = "arn:aws:lambda:eu-west-1:123456789012:layer:{}:1"
MB = 1024 * 1024


# --- A fake S3 + Lambda API ---------------------------------------------------

@dataclass(frozen=True)
class Seen:
    """One request the fake AWS answered."""

    path: str
    range: str | None
    status: int
    sent: int  # body bytes answered


class FakeAWS:
    """What the server answers: files by name, canned responses, and layers by ARN."""

    def __init__(self) -> None:
        self.url = ""
        self.files: dict[str, bytes] = {}
        self.ignore_range: set[str] = set()
        self.canned: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.layers: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()

    def add_file(self, name: str, data: bytes, ignore_range: bool = False) -> str:
        self.files[name] = data
        if ignore_range:
            self.ignore_range.add(name)
        return f"{self.url}/{name}"

    def add_layer(self, arn: str, location: str, code_size: int | None) -> None:
        answer = {"LayerVersionArn": arn, "Version": 1,
                  "Content": {"Location": location, "CodeSha256": "x", "CodeSize": code_size}}
        self.layers[arn] = (200, {"Content-Type": "application/json"}, json.dumps(answer).encode())

    def add_layer_zip(self, arn: str, name: str, data: bytes) -> None:
        self.add_layer(arn, self.add_file(name, data), len(data))

    def add_layer_error(self, arn: str, status: int, error_type: str, message: str) -> None:
        self.layers[arn] = (status, {"Content-Type": "application/json", "x-amzn-ErrorType": error_type},
                            json.dumps({"Type": "User", "message": message}).encode())

    def sent(self, prefix: str = "") -> int:
        return sum(seen.sent for seen in self.requests if seen.path.startswith(prefix))

    def answer(self, path: str, byte_range: str | None) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(path)
        if parts.path == "/2018-10-31/layers":
            query = parse_qs(parts.query)
            assert query["find"] == ["LayerVersion"]
            return self.layers[query["Arn"][0]]
        name = parts.path.lstrip("/")
        if name in self.canned:
            return self.canned[name]
        if name not in self.files:
            return 404, {}, b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>"
        data = self.files[name]
        if byte_range is None or name in self.ignore_range:
            return 200, {}, data
        return _ranged(data, byte_range)


def _ranged(data: bytes, byte_range: str) -> tuple[int, dict[str, str], bytes]:
    """A single-range answer as S3 gives it: first-last, first- and -suffix."""
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", byte_range)
    assert match and match.group(1) + match.group(2), byte_range
    first, last = match.groups()
    size = len(data)
    if not first:
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return 416, {"Content-Range": f"bytes */{size}"}, b""
    return 206, {"Content-Range": f"bytes {start}-{end}/{size}"}, data[start:end + 1]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        fake: FakeAWS = self.server.fake  # type: ignore[attr-defined]
        status, headers, body = fake.answer(self.path, self.headers.get("Range"))
        self.send_response(status)
        for key, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(key, value)
        # Recorded before the body goes: the client may be done reading before this thread resumes.
        with fake._lock:
            fake.requests.append(Seen(self.path, self.headers.get("Range"), status, len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up, as it should when a server ignores Range

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def fake_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAWS]:
    # A proxy from the environment must not stand between the client and 127.0.0.1.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    fake = FakeAWS()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.fake = fake  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()  # joins the request threads
        thread.join()


@pytest.fixture
def lambda_client(fake_aws: FakeAWS) -> Iterator[object]:
    import boto3
    from botocore.config import Config

    client = boto3.client("lambda", region_name="eu-west-1", endpoint_url=fake_aws.url,
                          aws_access_key_id="testing", aws_secret_access_key="testing",
                          config=Config(retries={"total_max_attempts": 1}))
    try:
        yield client
    finally:
        client.close()


# --- Zips with known contents -------------------------------------------------

def _zip(entries: dict[str, bytes], comment: bytes = b"",
         compression: int = zipfile.ZIP_DEFLATED) -> tuple[bytes, int]:
    """(zip bytes, sum of the entries' sizes, counted here rather than by zipfile)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression, compresslevel=1) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        archive.comment = comment
    return buffer.getvalue(), sum(len(data) for data in entries.values())


@functools.cache
def small_zip() -> tuple[bytes, int]:
    return _zip({"python/": b"", "python/app.py": b"print('hello')\n" * 40, "python/data.json": b"{}" * 500})


@functools.cache
def big_random_zip() -> tuple[bytes, int]:
    # Incompressible: the zip is as big as its contents, about 20 MB.
    return _zip({f"python/lib/blob{i}.so": os.urandom(4 * MB) for i in range(5)})


@functools.cache
def many_entries_zip() -> tuple[bytes, int]:
    # More than 65535 entries: only the ZIP64 end record can count them.
    return _zip({f"python/m{i:05}.py": b"#" * (i % 7) for i in range(65_536)}, compression=zipfile.ZIP_STORED)


@functools.cache
def huge_entry_zip() -> tuple[bytes, int]:
    # An entry of 5 GiB in the central directory without writing 5 GiB: the size is
    # changed before close, so only the ZIP64 extra field of the directory holds it.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        with archive.open("python/model.bin", "w", force_zip64=True) as member:
            member.write(b"weights")
        archive.writestr("python/readme.txt", b"big")
        archive.filelist[0].file_size = 5 * 1024 * MB
    return buffer.getvalue(), 5 * 1024 * MB + 3


@functools.cache
def commented_zip() -> tuple[bytes, int]:
    # The longest comment there can be: zipfile must search 64 KB back for the end record.
    return _zip({"python/a.py": b"a = 1\n", "python/b.py": b"b = 2\n" * 100}, comment=b"c" * 65_535)


@functools.cache
def empty_zip() -> tuple[bytes, int]:
    return _zip({})


ZIPS = [
    pytest.param(small_zip, id="small"),
    pytest.param(big_random_zip, id="20MB-random"),
    pytest.param(many_entries_zip, id="zip64-65536-entries"),
    pytest.param(huge_entry_zip, id="zip64-5GiB-entry"),
    pytest.param(commented_zip, id="64KB-comment"),
    pytest.param(empty_zip, id="no-entries"),
]


def central_directory_bytes(data: bytes) -> int:
    """Bytes from the central directory to the end: what must be read, at least."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return len(data) - archive.start_dir


def test_zips_are_what_they_claim() -> None:
    """The builders make what the cases are named after."""
    many, _ = many_entries_zip()
    assert b"PK\x06\x06" in many[-200:]  # ZIP64 end of central directory record
    huge, total = huge_entry_zip()
    with zipfile.ZipFile(io.BytesIO(huge)) as archive:
        assert archive.infolist()[0].file_size == 5 * 1024 * MB > 0xFFFFFFFF
    assert zipfile.ZipFile(io.BytesIO(commented_zip()[0])).comment == b"c" * 65_535
    assert 20 * MB < len(big_random_zip()[0]) < 21 * MB


# --- Reading the central directory --------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("size_given", [True, False], ids=["size-given", "size-learnt"])
@pytest.mark.parametrize("build", ZIPS)
def test_unzipped_size_reads_only_the_central_directory(fake_aws: FakeAWS, build, size_given: bool) -> None:
    data, total = build()
    url = fake_aws.add_file("layer.zip", data)
    unzipped, read = layer_size.unzipped_size_of_url(url, len(data) if size_given else None)
    assert unzipped == total
    assert read == fake_aws.sent()
    # The directory and end records, plus at most one read-ahead of what precedes them.
    assert read <= central_directory_bytes(data) + READ_AHEAD
    assert all(seen.status == 206 for seen in fake_aws.requests)


@pytest.mark.slow
def test_a_20MB_layer_costs_one_small_request(fake_aws: FakeAWS) -> None:
    data, total = big_random_zip()
    unzipped, read = layer_size.unzipped_size_of_url(fake_aws.add_file("big.zip", data))
    assert unzipped == total == 20 * MB
    assert read < 70_000
    assert [seen.range for seen in fake_aws.requests] == [f"bytes=-{READ_AHEAD}"]


@pytest.mark.slow
def test_a_server_that_ignores_range_is_refused(fake_aws: FakeAWS) -> None:
    data, _ = big_random_zip()
    url = fake_aws.add_file("layer.zip", data, ignore_range=True)
    with pytest.raises(LayerSizeError) as raised:
        layer_size.unzipped_size_of_url(url)
    assert str(raised.value) == ("127.0.0.1 ignored the Range request (HTTP 200 instead of 206), so only a full "
                                 "download could measure the layer; not downloading it")
    assert len(fake_aws.requests) == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


DOWNLOAD_ERRORS = [
    pytest.param("expired.zip", "downloading the layer from 127.0.0.1 failed: HTTP 403 Forbidden "
                                "(Request has expired)", id="presigned-url-expired"),
    pytest.param("gone.zip", "downloading the layer from 127.0.0.1 failed: HTTP 404 Not Found "
                             "(The specified key does not exist.)", id="no-such-key"),
    pytest.param("not-a-zip.bin", "the layer is not a readable zip file (File is not a zip file)", id="not-a-zip"),
    pytest.param("", "downloading the layer from 127.0.0.1 failed: [Errno 111] Connection refused",
                 id="connection-refused"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "reason"), DOWNLOAD_ERRORS)
def test_download_errors_are_plain_words(fake_aws: FakeAWS, name: str, reason: str) -> None:
    fake_aws.canned["expired.zip"] = (403, {}, b"<?xml version='1.0'?><Error><Code>AccessDenied</Code>"
                                               b"<Message>Request has expired</Message></Error>")
    fake_aws.add_file("not-a-zip.bin", random.Random(1).randbytes(40_000))
    base = fake_aws.url if name else f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(LayerSizeError) as raised:
        # The query string of a presigned URL is a credential: never in a message.
        layer_size.unzipped_size_of_url(f"{base}/{name}?X-Amz-Signature=secret")
    assert str(raised.value) == reason


BLOB = random.Random(0).randbytes(200_000)
READS = st.lists(st.tuples(st.integers(0, len(BLOB) + 10), st.integers(-1, 70_000)), min_size=1, max_size=12)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reads=READS, size_given=st.booleans(), from_end=st.booleans())
def test_range_file_reads_like_a_local_file(fake_aws: FakeAWS, reads: list[tuple[int, int]],
                                            size_given: bool, from_end: bool) -> None:
    """Any seeks and reads give the file's bytes, and no byte is fetched twice."""
    url = fake_aws.add_file("blob.bin", BLOB)
    before = len(fake_aws.requests)
    with layer_size.HTTPRangeFile(url, len(BLOB) if size_given else None) as remote:
        for position, size in reads:
            if from_end:
                assert remote.seek(position - len(BLOB), io.SEEK_END) == position
            else:
                assert remote.seek(position) == position
            expected = BLOB[position:] if size == -1 else BLOB[position:position + size]
            assert remote.read(size) == expected
            assert remote.tell() == max(position, min(position + len(expected), len(BLOB)))
        seen = fake_aws.requests[before:]
        assert remote.bytes_read == sum(s.sent for s in seen) <= len(BLOB)
        assert remote.requests == len(seen)


@pytest.mark.slow
def test_nearby_reads_cost_no_request(fake_aws: FakeAWS) -> None:
    with layer_size.HTTPRangeFile(fake_aws.add_file("blob.bin", BLOB)) as remote:
        remote.seek(-22, io.SEEK_END)
        assert remote.read() == BLOB[-22:]
        for position in (-42, -98, -READ_AHEAD):
            remote.seek(position, io.SEEK_END)
            remote.read(10)
        assert remote.requests == 1 and remote.bytes_read == READ_AHEAD
        with pytest.raises(OSError):
            remote.seek(-1)


def test_only_http_locations_are_opened() -> None:
    with pytest.raises(LayerSizeError, match=r"^the layer's location 's3://' is not an HTTP\(S\) download link$"):
        layer_size.HTTPRangeFile("s3://bucket/layer.zip")


# --- Through the Lambda API ---------------------------------------------------

@pytest.mark.slow
def test_measure_layer_with_boto3(fake_aws: FakeAWS, lambda_client: object) -> None:
    data, total = big_random_zip()
    arn = ARN.format("numpy")
    fake_aws.add_layer_zip(arn, "numpy.zip", data)
    size = layer_size.measure_layer(arn, lambda_client)
    assert size == LayerSize(arn, total, len(data), fake_aws.sent("/numpy.zip"), "measured")
    assert size.bytes_read < 70_000
    api_call, *downloads = fake_aws.requests
    assert api_call.path == f"/2018-10-31/layers?find=LayerVersion&Arn={arn.replace(':', '%3A')}"
    assert [seen.path for seen in downloads] == ["/numpy.zip"]


LAMBDA_ERRORS = [
    pytest.param(404, "ResourceNotFoundException", "Layer version arn:... does not exist.",
                 "AWS has no such layer version. Check the ARN's region, account, name and version "
                 "(ResourceNotFoundException).", id="not-found"),
    pytest.param(403, "AccessDeniedException", "User is not authorized to perform: lambda:GetLayerVersion",
                 "AWS denied access to the layer version. Your credentials need lambda:GetLayerVersion, and a "
                 "layer of another account must be shared with yours (AccessDeniedException).", id="access-denied"),
    pytest.param(400, "InvalidParameterValueException", "Invalid ARN",
                 "AWS refused the request (InvalidParameterValueException): Invalid ARN", id="other-error"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("status", "error_type", "message", "reason"), LAMBDA_ERRORS)
def test_lambda_errors_are_plain_words(fake_aws: FakeAWS, lambda_client: object, tmp_path: Path,
                                       status: int, error_type: str, message: str, reason: str) -> None:
    arn = ARN.format("private")
    fake_aws.add_layer_error(arn, status, error_type, message)
    assert layer_size.layer_sizes([arn], tmp_path / "layer-sizes.json", lambda_client) == ([], [f"{arn}: {reason}"])
    assert not (tmp_path / "layer-sizes.json").exists()


@pytest.mark.slow
def test_a_location_that_is_not_a_download_link(fake_aws: FakeAWS, lambda_client: object, tmp_path: Path) -> None:
    """moto's answer: the layer is in S3 but AWS gives no link to it."""
    arn = ARN.format("moto")
    fake_aws.add_layer(arn, "s3://", 113)
    assert layer_size.layer_sizes([arn], tmp_path / "c.json", lambda_client) == (
        [], [f"{arn}: the layer's location 's3://' is not an HTTP(S) download link"])


# --- The cache ----------------------------------------------------------------

@pytest.mark.slow
def test_measured_sizes_are_cached(fake_aws: FakeAWS, lambda_client: object, tmp_path: Path) -> None:
    cache = tmp_path / "layer-sizes.json"
    small, small_total = small_zip()
    big, big_total = big_random_zip()
    deps, tools, gone = ARN.format("deps"), ARN.format("tools"), ARN.format("gone")
    fake_aws.add_layer_zip(deps, "deps.zip", small)
    fake_aws.add_layer_zip(tools, "tools.zip", big)
    fake_aws.add_layer_error(gone, 404, "ResourceNotFoundException", "gone")

    sizes, missing = layer_size.layer_sizes([tools, gone, deps, tools], cache, lambda_client)
    assert [(s.arn, s.unzipped_bytes, s.zip_bytes, s.source) for s in sizes] == [
        (tools, big_total, len(big), "measured"), (deps, small_total, len(small), "measured")]
    assert [m.split(": ")[0] for m in missing] == [gone]
    assert cache.read_text() == (
        "{\n"
        f'  "{deps}": {{\n    "source": "measured",\n    "unzipped_bytes": {small_total},\n'
        f'    "zip_bytes": {len(small)}\n  }},\n'
        f'  "{tools}": {{\n    "source": "measured",\n    "unzipped_bytes": {big_total},\n'
        f'    "zip_bytes": {len(big)}\n  }}\n'
        "}\n")

    asked = len(fake_aws.requests)
    again, _ = layer_size.layer_sizes([deps, tools], cache, lambda_client)
    assert len(fake_aws.requests) == asked  # no API call, no download
    assert again == [LayerSize(deps, small_total, len(small), 0, "cache"),
                     LayerSize(tools, big_total, len(big), 0, "cache")]
    assert layer_size.layer_sizes([deps, tools], cache)[0] == again  # and no client needed


def test_declared_sizes_are_honoured(tmp_path: Path) -> None:
    cache = tmp_path / "layer-sizes.json"
    declared, unknown = ARN.format("declared"), ARN.format("unknown")
    layer_size.save_cache(cache, {declared: {"unzipped_bytes": 12 * MB, "zip_bytes": None, "source": "declared"}})
    sizes, missing = layer_size.layer_sizes([declared, unknown], cache)
    assert sizes == [LayerSize(declared, 12 * MB, None, 0, "declared")]
    assert missing == [f"{unknown}: not measured: no AWS credentials"]


def test_save_cache_format(tmp_path: Path) -> None:
    cache = tmp_path / "layer-sizes.json"
    layer_size.save_cache(cache, {"b": {"zip_bytes": None, "unzipped_bytes": 2, "source": "declared"},
                                  "a": {"unzipped_bytes": 1, "zip_bytes": 1, "source": "measured"}})
    assert cache.read_text() == ('{\n  "a": {\n    "source": "measured",\n    "unzipped_bytes": 1,\n'
                                 '    "zip_bytes": 1\n  },\n  "b": {\n    "source": "declared",\n'
                                 '    "unzipped_bytes": 2,\n    "zip_bytes": null\n  }\n}\n')
    assert layer_size.load_cache(cache) == json.loads(cache.read_text())
    assert [p.name for p in tmp_path.iterdir()] == ["layer-sizes.json"]  # no temporary file left
    assert layer_size.load_cache(tmp_path / "absent.json") == {}


BAD_CACHES = [
    pytest.param("{", "cannot be read as JSON", id="not-json"),
    pytest.param("[]", "is not a JSON object of layer ARNs", id="not-an-object"),
    pytest.param('{"arn:x": {"unzipped_bytes": "12MB", "zip_bytes": null, "source": "declared"}}',
                 "arn:x: give unzipped_bytes as a whole number of bytes", id="size-as-text"),
    pytest.param('{"arn:x": {"unzipped_bytes": 1, "zip_bytes": -1, "source": "measured"}}',
                 "arn:x: give unzipped_bytes", id="negative-zip-size"),
    pytest.param('{"arn:x": {"unzipped_bytes": 1, "zip_bytes": 1, "source": "guessed"}}',
                 "source as measured or declared", id="unknown-source"),
]


@pytest.mark.parametrize(("text", "message"), BAD_CACHES)
def test_a_malformed_cache_says_what_to_fix(tmp_path: Path, text: str, message: str) -> None:
    cache = tmp_path / "layer-sizes.json"
    cache.write_text(text)
    with pytest.raises(LayerSizeError, match=re.escape(message)):
        layer_size.layer_sizes([ARN.format("x")], cache)
