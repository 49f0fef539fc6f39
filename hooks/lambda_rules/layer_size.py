"""Unzipped sizes of Lambda layer versions, measured without downloading them.

Lambda counts a function's unzipped code and layers against one 250 MB limit,
but AWS only reports a layer's zipped size. A zip lists every member's
uncompressed size in its central directory, at the end of the file, so reading
that part through HTTP Range requests gives the exact total for a few KB.
A layer version never changes, so each size is kept by ARN in a JSON file.

boto3/botocore are imported inside functions only: copier imports this
package at generation time, where they may be absent.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_CACHE = Path("layer-sizes.json")
# Every fetch asks for at least this much, reaching back from what was asked:
# zipfile reads the end record, then the records just before it, then the
# central directory, so one request of 16 KB usually answers all of them.
READ_AHEAD = 16 * 1024
TIMEOUT_S = 30
SOURCES = ("measured", "declared")

_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
_S3_MESSAGE = re.compile(rb"<Message>([^<]{1,300})</Message>")


class LayerSizeError(Exception):
    """A layer could not be measured; the message says why in plain words."""


@dataclass(frozen=True)
class LayerSize:
    """One layer version's size, and how it was learnt."""

    arn: str
    unzipped_bytes: int
    zip_bytes: int | None
    bytes_read: int  # fetched over HTTP for this answer; 0 when not measured now
    source: str  # "measured", "declared" or "cache"


# --- Reading a remote zip -----------------------------------------------------

class HTTPRangeFile(io.RawIOBase):
    """A read-only, seekable file over an HTTP(S) URL, fetched by Range requests.

    What has been fetched is kept, so reads near it cost no request.
    `bytes_read` and `requests` count what went over the network.
    """

    def __init__(self, url: str, total_size: int | None = None, timeout: float = TIMEOUT_S) -> None:
        super().__init__()
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https"):
            # urllib would also open file:// and ftp://; a layer's location is never one.
            raise LayerSizeError(f"the layer's location {parts.scheme + '://' if parts.scheme else url!r} "
                                 "is not an HTTP(S) download link")
        self._url = url
        # Only the host goes in messages: the rest of a presigned URL is a credential.
        self._host = parts.hostname or "?"
        self._timeout = timeout
        self._total = total_size
        self._pos = 0
        self._have: list[tuple[int, bytes]] = []  # sorted, neither overlapping nor touching
        self.bytes_read = 0
        self.requests = 0

    # io.RawIOBase interface.
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._checkClosed()
        if whence not in (io.SEEK_SET, io.SEEK_CUR, io.SEEK_END):
            raise ValueError(f"whence {whence!r} is not SEEK_SET, SEEK_CUR or SEEK_END")
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos}.get(whence)
        position = offset + (self.size if base is None else base)
        if position < 0:
            # zipfile probes for records before the start and expects OSError.
            raise OSError(22, "seek before the start of the file")
        self._pos = position
        return position

    def readinto(self, buffer: Any) -> int:
        self._checkClosed()
        view = memoryview(buffer).cast("B")
        end = min(self._pos + len(view), self.size)
        if end <= self._pos:
            return 0
        data = self._get(self._pos, end)
        view[: len(data)] = data
        self._pos = end
        return len(data)

    def readall(self) -> bytes:
        # One fetch for the rest of the file, not one per DEFAULT_BUFFER_SIZE.
        self._checkClosed()
        if self._pos >= self.size:
            return b""
        data = self._get(self._pos, self.size)
        self._pos = self.size
        return data

    @property
    def size(self) -> int:
        """The file's size in bytes; learnt from the first response when not given."""
        if self._total is None:
            self._fetch(f"bytes=-{READ_AHEAD}")
        assert self._total is not None
        return self._total

    # Cache of fetched bytes.
    def _gaps(self, start: int, end: int) -> list[tuple[int, int]]:
        gaps, position = [], start
        for first, data in self._have:
            last = first + len(data)
            if last <= position:
                continue
            if first >= end:
                break
            if first > position:
                gaps.append((position, first))
            position = max(position, last)
        if position < end:
            gaps.append((position, end))
        return gaps

    def _store(self, start: int, data: bytes) -> None:
        merged: list[tuple[int, bytes]] = []
        for first, chunk in sorted([*self._have, (start, data)], key=lambda item: item[0]):
            if merged and merged[-1][0] + len(merged[-1][1]) >= first:
                previous_first, previous = merged[-1]
                merged[-1] = (previous_first, previous + chunk[previous_first + len(previous) - first:])
            else:
                merged.append((first, chunk))
        self._have = merged

    def _get(self, start: int, end: int) -> bytes:
        if self._gaps(start, end):
            for gap_start, gap_end in self._gaps(max(0, min(start, end - READ_AHEAD)), end):
                self._fetch(f"bytes={gap_start}-{gap_end - 1}")
        for first, data in self._have:
            if first <= start and end <= first + len(data):
                return data[start - first:end - first]
        raise LayerSizeError(f"{self._host} did not send bytes {start} to {end - 1}")

    def _fetch(self, byte_range: str) -> None:
        request = urllib.request.Request(self._url, headers={"Range": byte_range})
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                if response.status != 206:
                    # Closing unread drops the connection: nothing more is downloaded.
                    raise LayerSizeError(f"{self._host} ignored the Range request (HTTP {response.status} "
                                         "instead of 206), so only a full download could measure the layer; "
                                         "not downloading it")
                match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
                if not match:
                    raise LayerSizeError(f"{self._host} answered a Range request without a usable "
                                         f"Content-Range ({response.headers.get('Content-Range')!r})")
                first, last, total = (int(group) for group in match.groups())
                data = response.read()
        except urllib.error.HTTPError as error:
            raise LayerSizeError(f"downloading the layer from {self._host} failed: HTTP {error.code} "
                                 f"{error.reason}{_http_detail(error)}") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            raise LayerSizeError(f"downloading the layer from {self._host} failed: {reason}") from None
        self.bytes_read += len(data)
        if len(data) != last - first + 1:
            raise LayerSizeError(f"{self._host} sent {len(data)} bytes for a range of {last - first + 1}; "
                                 "the download was cut short")
        if self._total is not None and total != self._total:
            raise LayerSizeError(f"{self._host} says the file has {total} bytes, "
                                 f"AWS said {self._total}")
        self._total = total
        self._store(first, data)


def _http_detail(error: urllib.error.HTTPError) -> str:
    """S3's own explanation of an error ("Request has expired"), if it gave one."""
    try:
        body = error.read(4096)
    except (OSError, http.client.HTTPException):
        body = b""
    finally:
        error.close()
    match = _S3_MESSAGE.search(body or b"")
    return f" ({match.group(1).decode('utf-8', 'replace')})" if match else ""


def unzipped_size_of_url(url: str, total_size: int | None = None) -> tuple[int, int]:
    """(sum of uncompressed sizes, bytes read) of the zip at url, reading only its central directory."""
    with HTTPRangeFile(url, total_size) as remote:
        try:
            # zipfile reads the end records and the central directory, nothing else,
            # and handles ZIP64 and archive comments.
            with zipfile.ZipFile(remote) as archive:
                total = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile as error:
            raise LayerSizeError(f"the layer is not a readable zip file ({error})") from None
        return total, remote.bytes_read


# --- Asking AWS ---------------------------------------------------------------

_AWS_REASONS = {
    "ResourceNotFoundException": "AWS has no such layer version. Check the ARN's region, account, name "
                                 "and version",
    "AccessDeniedException": "AWS denied access to the layer version. Your credentials need "
                             "lambda:GetLayerVersion, and a layer of another account must be shared with yours",
}


def _aws_reason(error: Any) -> str:
    """A botocore ClientError in plain words, with AWS's error code to search for."""
    details = error.response.get("Error", {})
    code = details.get("Code") or "error"
    if code in _AWS_REASONS:
        return f"{_AWS_REASONS[code]} ({code})."
    return f"AWS refused the request ({code}): {details.get('Message') or error}"


def measure_layer(arn: str, lambda_client: Any) -> LayerSize:
    """A layer version's sizes from AWS and its zip's central directory; LayerSizeError says why not."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = lambda_client.get_layer_version_by_arn(Arn=arn)
    except ClientError as error:
        raise LayerSizeError(_aws_reason(error)) from None
    except BotoCoreError as error:
        raise LayerSizeError(f"could not ask AWS: {error}") from None
    content = answer.get("Content") or {}
    location, zip_bytes = content.get("Location"), content.get("CodeSize")
    if not location:
        raise LayerSizeError("AWS gave no download location for the layer version")
    unzipped, read = unzipped_size_of_url(location, zip_bytes)
    return LayerSize(arn, unzipped, zip_bytes, read, "measured")


# --- The cache file -------------------------------------------------------------

def _is_size(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def load_cache(path: Path) -> dict[str, dict]:
    """The sizes recorded in path, by ARN; {} when there is no file. LayerSizeError if malformed."""
    try:
        cache = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise LayerSizeError(f"{path}: cannot be read as JSON ({error}). Fix or delete it.") from None
    if not isinstance(cache, dict):
        raise LayerSizeError(f"{path}: is not a JSON object of layer ARNs. Fix or delete it.")
    for arn, entry in cache.items():
        if not (isinstance(entry, dict) and _is_size(entry.get("unzipped_bytes"))
                and (entry.get("zip_bytes") is None or _is_size(entry.get("zip_bytes")))
                and entry.get("source") in SOURCES):
            raise LayerSizeError(f"{path}: {arn}: give unzipped_bytes as a whole number of bytes, zip_bytes as "
                                 f"one or null, and source as {' or '.join(SOURCES)}.")
    return cache


def save_cache(path: Path, cache: dict[str, dict]) -> None:
    """Write the cache: sorted keys, indent 2, trailing newline (stable diffs)."""
    path = Path(path)
    text = json.dumps(cache, sort_keys=True, indent=2) + "\n"
    # Written aside then renamed, so an interrupted run never leaves half a file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def layer_sizes(arns: list[str], cache_path: Path = DEFAULT_CACHE,
                lambda_client: Any = None) -> tuple[list[LayerSize], list[str]]:
    """Sizes of the layers: from the cache, else measured with lambda_client (new ones saved to the cache).

    Returns (sizes found, 'arn: reason' for each layer that could not be
    measured); with no lambda_client, uncached layers are reported as not
    measured for want of AWS credentials.
    """
    cache = load_cache(cache_path)
    sizes: list[LayerSize] = []
    missing: list[str] = []
    measured = False
    for arn in dict.fromkeys(arns):
        entry = cache.get(arn)
        # A declared size stands in until the layer can be measured.
        if entry is not None and (entry["source"] != "declared" or lambda_client is None):
            source = "declared" if entry["source"] == "declared" else "cache"
            sizes.append(LayerSize(arn, entry["unzipped_bytes"], entry.get("zip_bytes"), 0, source))
            continue
        if lambda_client is None:
            missing.append(f"{arn}: not measured: no AWS credentials")
            continue
        try:
            size = measure_layer(arn, lambda_client)
        except LayerSizeError as error:
            missing.append(f"{arn}: {error}")
            continue
        sizes.append(size)
        cache[arn] = {"unzipped_bytes": size.unzipped_bytes, "zip_bytes": size.zip_bytes, "source": "measured"}
        measured = True
    if measured:
        save_cache(cache_path, cache)
    return sizes, missing


def declared_cache(layers: list[Any]) -> str:
    """The cache file's text for the sizes declared in the `layers` answer (unzipped_mb)."""
    from .rules import normalize_layers

    cache = {layer["arn"]: {"unzipped_bytes": int(layer["unzipped_mb"] * 1024 * 1024), "zip_bytes": None,
                            "source": "declared"}
             for layer in normalize_layers(layers) if layer["unzipped_mb"] is not None}
    return json.dumps(cache, indent=2, sort_keys=True) + "\n"
