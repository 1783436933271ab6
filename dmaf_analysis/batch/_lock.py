"""One batch at a time per output folder: ``<output_dir>/batch.lock``.

A batch (or a single report) holds an exclusive ``flock`` on the lock file while it
renders and writes the manifest and the index; a second one on the same folder is
refused at once with a message naming the process that holds the lock, instead of
both writing ``manifest.json`` and losing each other's entries. The lock belongs
to the open file, so it disappears with the process, even after ``kill -9``; the
file is removed when the batch ends. Within one process the lock is re-entrant
(``render_batch`` holds it around ``run_jobs``).
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

from ..errors import BatchLockedError, WriteError

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None

__all__ = ["LOCK_NAME", "output_lock"]

LOCK_NAME = "batch.lock"

_guard = threading.Lock()
_held: dict[str, list] = {}  # resolved output folder -> [fd, depth]


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        pid = ""
    return f"process {pid}" if pid.isdigit() else "another process"


def _acquire(root: Path) -> int:
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"{root}: cannot create the output folder ({exc.strerror or exc})") from None
    path = root / LOCK_NAME
    for _ in range(20):  # the file may be removed by a finishing batch between open and lock
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as exc:
            raise WriteError(f"{path}: cannot create the lock file ({exc.strerror or exc})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise BatchLockedError(
                f"{root}: another dmaf batch ({_holder(path)}) is writing to this folder; wait for it to "
                f"finish or use another --output-dir (the lock is {path})") from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
            return fd
        os.close(fd)
    raise BatchLockedError(f"{path}: could not take the lock (the file keeps changing)")


def _release(root: Path, fd: int) -> None:
    try:
        (root / LOCK_NAME).unlink(missing_ok=True)
    finally:
        os.close(fd)


@contextmanager
def output_lock(output_dir: str | Path):
    """Hold the output folder's batch lock; raise :class:`BatchLockedError` when another batch has it."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    root = Path(output_dir).resolve()
    key = str(root)
    with _guard:
        if key in _held:
            _held[key][1] += 1
        else:
            _held[key] = [_acquire(root), 1]
    try:
        yield
    finally:
        with _guard:
            _held[key][1] -= 1
            if _held[key][1] == 0:
                fd = _held.pop(key)[0]
                _release(root, fd)
