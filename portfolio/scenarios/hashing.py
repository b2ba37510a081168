"""Content hashes of scenario files: a scenario version is keyed by the hash of its files."""

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from portfolio.scenarios.zipfiles import is_junk


def files_hash(files: Mapping[str, bytes]) -> str:
    """SHA-256 over every (relative path, bytes) pair in path order, junk files left out."""
    digest = hashlib.sha256(b"scenario-files-1\0")
    for name in sorted(n for n in files if not is_junk(n)):
        for part in (name.encode("utf-8"), files[name]):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    return digest.hexdigest()


def scenario_hash(path: str | Path) -> str:
    """The content hash of a folder: the same files give the same hash, any edit a new one."""
    return files_hash(_tree(Path(path)))


def _tree(root: Path) -> dict[str, bytes]:
    """Every regular file under root by relative path (symlinks and junk files skipped)."""
    files: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not is_junk(d) and not (here / d).is_symlink()]
        for name in filenames:
            path = here / name
            if not is_junk(name) and not path.is_symlink() and path.is_file():
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files
