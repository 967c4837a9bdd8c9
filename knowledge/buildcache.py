"""A cache of the example classifier as built at start-up, so that a restart does not rebuild it.

The classifier is a pure function of the examples, the answers' text, the lexicon, the counties and the
code that turns text into features, so the cache key is a hash of all of them; any change builds anew.
The state is stored with `marshal` (plain dicts, lists, tuples, sets, strings and floats: nothing is
executed on load). A cache that cannot be read or written is ignored: the classifier is then built.

The package ships the cache for its own data (`data/<name>.marshal.gz`, written by
`python tools/build_cache.py`), so that even the first start after installing does not build; the user's
cache directory holds the cache of any other data (a changed knowledge base, another Python).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import marshal
import os
import sys
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CODE = Path(__file__).resolve().parent
PACKAGED = CODE / "data"
FORMAT = 1


def cache_dir() -> Path | None:
    """`TOIMINTAMALLI_CACHE_DIR`, else the user's cache directory; "" or "off" turns the cache off."""
    chosen = os.environ.get("TOIMINTAMALLI_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip() in ("", "off") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "toimintamalli"


def key(*parts: Any) -> str:
    """A hash of the given data (JSON-serialisable) and of this package's source code."""
    digest = hashlib.sha256(f"format {FORMAT} python {sys.version_info[:2]}".encode())
    for path in sorted(CODE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for part in parts:
        digest.update(json.dumps(part, ensure_ascii=False, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:32]


def load(name: str, digest: str) -> Any | None:
    """The cached state for `digest`: the packaged one, else the user's; None when neither matches."""
    directory = cache_dir()
    if directory is None:
        return None
    packaged = _read(PACKAGED / f"{name}.marshal.gz", compressed=True)
    if isinstance(packaged, dict) and packaged.get("key") == digest:
        return packaged.get("state")
    return _read(directory / f"{name}-{digest}.marshal", compressed=False)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Building or loading the classifier makes many small containers and no cycles: the garbage
    collector would only walk them again and again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _read(path: Path, compressed: bool) -> Any | None:
    try:
        data = path.read_bytes()
        if compressed:
            data = zlib.decompress(data)
        with collector_paused():
            return marshal.loads(data)
    except (OSError, EOFError, ValueError, TypeError, zlib.error):
        return None


def write_packaged(name: str, digest: str, state: Any) -> Path:
    """The cache shipped with the package (for `tools/build_cache.py`)."""
    path = PACKAGED / f"{name}.marshal.gz"
    path.write_bytes(zlib.compress(marshal.dumps({"key": digest, "state": state}), 9))
    return path


def packaged_key(name: str) -> str | None:
    packaged = _read(PACKAGED / f"{name}.marshal.gz", compressed=True)
    return packaged.get("key") if isinstance(packaged, dict) else None


def save(name: str, digest: str, state: Any) -> None:
    """Writes atomically (a reader never sees half a file) and keeps only the newest cache per name."""
    directory = cache_dir()
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            marshal.dump(state, handle)
        target = directory / f"{name}-{digest}.marshal"
        os.replace(tmp, target)
        for old in directory.glob(f"{name}-*.marshal"):
            if old != target:
                with contextlib.suppress(OSError):
                    old.unlink()
    except (OSError, ValueError):
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)
