"""The media library: images (PNG, JPEG, WebP) and videos (MP4/H.264, WebM) uploaded by
supervisors, checked to really be what they claim (magic bytes, then Pillow for images and a
decode of the first frames by ``ffmpeg`` for videos), thumbnailed and stored on disk beside the
database. Nothing here trusts the uploader's file name or Content-Type."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

log = logging.getLogger(__name__)

IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
VIDEO_CODECS = {"mp4": ("video/mp4", {"h264"}), "webm": ("video/webm", {"vp8", "vp9", "av1"})}
THUMB_SIZE = (480, 270)
PROBE_TIMEOUT_S = 30.0
MAX_PIXELS = 40_000_000
T = TypeVar("T")


class MediaError(ValueError):
    """The file is not a supported image or video; ``reason`` says why (for the log)."""

    def __init__(self, reason: str, code: str = "unsupported_media") -> None:
        super().__init__(reason)
        self.code = code


@dataclass(frozen=True)
class Checked:
    kind: str
    mimetype: str
    extension: str
    width: int
    height: int
    duration: float


def sniff(head: bytes) -> str | None:
    """What the first bytes say the file is: png, jpeg, webp, mp4, webm or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    return None


def ffmpeg_available() -> bool:
    return shutil.which("ffprobe") is not None and shutil.which("ffmpeg") is not None


def check_image(path: Path, claimed: str) -> Checked:
    from PIL import Image, UnidentifiedImageError  # at the first upload, not at start (4 MB)

    try:
        with Image.open(path) as img:
            fmt = img.format or ""
            width, height = img.size
            if width * height > MAX_PIXELS:  # checked before any pixel is decoded
                raise MediaError(f"the image is too large ({width}x{height})")
            img.verify()
        with Image.open(path) as img:
            img.load()  # verify() does not decode the pixels; load() does
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise MediaError(f"not a readable image: {exc}") from None
    if fmt not in IMAGE_FORMATS or fmt.lower() != claimed:
        raise MediaError(f"image format {fmt!r} does not match its bytes ({claimed})")
    extension = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}[fmt]
    return Checked("image", IMAGE_FORMATS[fmt], extension, width, height, 0.0)


def _run(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(args, capture_output=True, timeout=PROBE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise MediaError("the video took too long to probe") from None


def check_video(path: Path, claimed: str) -> Checked:
    if not ffmpeg_available():
        raise MediaError("ffprobe is not installed on the hub", code="video_unavailable")
    probe = _run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                  "-show_streams", str(path)])
    if probe.returncode != 0:
        raise MediaError(f"ffprobe refused the file: {probe.stderr[:200]!r}")
    try:
        info = json.loads(probe.stdout)
    except ValueError:
        raise MediaError("ffprobe gave no answer") from None
    formats = str(info.get("format", {}).get("format_name", "")).split(",")
    mimetype, codecs = VIDEO_CODECS[claimed]
    wanted_format = "mp4" if claimed == "mp4" else "webm"
    if wanted_format not in formats and not (claimed == "webm" and "matroska" in formats):
        raise MediaError(f"container {formats} is not {claimed}")
    video = [s for s in info.get("streams", []) if s.get("codec_type") == "video"]
    if not video or video[0].get("codec_name") not in codecs:
        raise MediaError(f"video codec must be one of {sorted(codecs)}")
    # It must decode: the first two seconds through the real decoder.
    decoded = _run(["ffmpeg", "-v", "error", "-xerror", "-i", str(path), "-t", "2",
                    "-map", "0:v:0", "-f", "null", "-"])
    if decoded.returncode != 0:
        raise MediaError(f"the video does not decode: {decoded.stderr[:200]!r}")
    try:
        duration = float(info.get("format", {}).get("duration") or 0.0)
    except ValueError:
        duration = 0.0
    return Checked("video", mimetype, claimed, int(video[0].get("width") or 0),
                   int(video[0].get("height") or 0), duration)


def off_loop(fn: Callable[..., T], *args: Any) -> T:
    """Run CPU-heavy work (decoding a large image) in a real thread when the hub runs on
    gevent, so calls keep flowing meanwhile; directly otherwise."""
    try:
        from gevent import get_hub, monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return fn(*args)
    if not monkey.is_module_patched("threading"):
        return fn(*args)
    result: T = get_hub().threadpool.apply(fn, args)
    return result


def check_file(path: Path) -> Checked:
    """Which supported kind ``path`` really is, or :class:`MediaError`."""
    with path.open("rb") as handle:
        head = handle.read(32)
    claimed = sniff(head)
    if claimed is None:
        raise MediaError("unknown file signature")
    if claimed in ("png", "jpeg", "webp"):
        return off_loop(check_image, path, claimed)
    return check_video(path, claimed)


def make_thumbnail(source: Path, checked: Checked, target: Path) -> None:
    """A JPEG thumbnail: the image scaled down, or a frame of the video."""
    if checked.kind == "video":
        at = "1" if checked.duration > 2 else "0"
        frame = target.with_suffix(".frame.png")
        result = _run(["ffmpeg", "-v", "error", "-y", "-ss", at, "-i", str(source),
                       "-frames:v", "1", str(frame)])
        if result.returncode != 0 or not frame.exists():
            raise MediaError("no frame could be taken from the video")
        source = frame
    try:
        off_loop(_scaled_copy, source, target)
    finally:
        if checked.kind == "video":
            source.unlink(missing_ok=True)


def _scaled_copy(source: Path, target: Path) -> None:
    from PIL import Image

    with Image.open(source) as opened:
        img = opened.convert("RGB")
        img.thumbnail(THUMB_SIZE)
        img.save(target, "JPEG", quality=82)


@dataclass(frozen=True)
class Stored:
    checked: Checked
    filename: str
    thumbnail: str
    size: int
    sha256: str


def store(stream: IO[bytes], folder: Path, max_bytes: int) -> Stored:
    """Copy an upload into ``folder`` under a name of Loket's choosing, check it and make its
    thumbnail. Nothing is left behind when it is refused."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(1 << 16):
                size += len(chunk)
                if size > max_bytes:
                    raise MediaError("too large", code="too_large")
                digest.update(chunk)
                out.write(chunk)
        checked = check_file(tmp)
        stem = digest.hexdigest()[:24]
        filename = f"{stem}.{checked.extension}"
        thumbnail = f"{stem}.thumb.jpg"
        make_thumbnail(tmp, checked, folder / thumbnail)
        os.replace(tmp, folder / filename)
        return Stored(checked, filename, thumbnail, size, digest.hexdigest())
    finally:
        tmp.unlink(missing_ok=True)
