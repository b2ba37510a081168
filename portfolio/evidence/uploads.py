"""Workplace-evidence files: the type is decided by the content (never the name or the
browser's claim), the size is limited, and files are stored outside static/ by a random name."""

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from werkzeug.utils import secure_filename

MAX_BYTES = 10 * 1024 * 1024
#: EvidenceItem.original_name's length: PostgreSQL refuses a longer name (a server error).
MAX_NAME = 200
# type -> (extensions allowed for it, label)
TYPES = {
    "application/pdf": ((".pdf",), "PDF"),
    "image/png": ((".png",), "PNG image"),
    "image/jpeg": ((".jpg", ".jpeg"), "JPEG image"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        (".docx",),
        "Word document",
    ),
    "text/plain": ((".txt",), "text file"),
}
ACCEPT = ",".join(ext for exts, _ in TYPES.values() for ext in exts)


def format_size(size: int) -> str:
    """A file's size as people read it: ``6 bytes``, ``12.3 KB``, ``4.8 MB`` (1 KB is 1,024
    bytes). Not ``0.0 KB``, which reads as an empty file, nor ``5120.0 KB``."""
    if size < 1024:
        return f"{size:,} byte{'' if size == 1 else 's'}"
    if size < 1024 * 1024:
        return f"{size / 1024:,.1f} KB"
    return f"{size / (1024 * 1024):,.1f} MB"


class UploadError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    original_name: str
    mime_type: str
    size: int
    sha256: str


def sniff(data: bytes) -> str | None:
    """The file's type from its first bytes (and, for Word, its zip directory), or None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return None
    if b"\x00" not in data[:8192]:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain"
    return None


def check_upload(data: bytes, filename: str) -> tuple[str, str]:
    """Return (mime type, safe display name) or raise UploadError with a clear message."""
    if not data:
        raise UploadError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise UploadError(
            f"The file is {len(data) / 1_048_576:.1f} MB; the limit is {MAX_BYTES // 1_048_576} MB."
        )
    # Only the last path component is kept: a name like ../../etc/passwd cannot steer storage
    # (files are stored under a random name anyway) or appear with its path.
    display = secure_filename(PurePath(filename.replace("\\", "/")).name) or "upload"
    mime = sniff(data)
    allowed = ", ".join(label for _, label in TYPES.values())
    if mime is None:
        raise UploadError(f"That file type is not accepted. Upload one of: {allowed}.")
    extensions, label = TYPES[mime]
    if not display.lower().endswith(extensions):
        raise UploadError(
            f"The file's name does not match its content: it is a {label}, so name it "
            f"{extensions[0]}."
        )
    return mime, _shortened(display)


def _shortened(name: str) -> str:
    """The name cut to MAX_NAME characters, keeping its extension (a long name is common
    for documents saved from email)."""
    if len(name) <= MAX_NAME:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        return name[:MAX_NAME]
    return stem[: MAX_NAME - len(extension) - 1] + "." + extension


def store(data: bytes, filename: str, folder: Path) -> StoredFile:
    """Check and write an upload; returns where and what was stored."""
    mime, display = check_upload(data, filename)
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16) + TYPES[mime][0][0]
    path = folder / stored_name
    with open(path, "xb") as handle:  # never overwrite
        handle.write(data)
    return StoredFile(stored_name, display, mime, len(data), hashlib.sha256(data).hexdigest())
