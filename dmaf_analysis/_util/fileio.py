"""Reading and writing files safely: the one place that checks input paths and writes outputs.

Inputs
------
:func:`check_input_path` and :func:`read_input_bytes` accept regular files only
(a named pipe, a device, a socket or a folder is refused with a message saying
what it is, so nothing ever waits on a FIFO or reads ``/dev/zero`` forever), and
files no larger than :func:`max_input_bytes` (``DMAF_MAX_INPUT_MB``, default
256 MB; ``dmaf --max-size MB`` sets it). :func:`decode_text` names the encoding
of text that is not UTF-8 ("UTF-16: save it as UTF-8"), and :func:`load_yaml`
reads YAML with limits: no aliases, at most :data:`YAML_MAX_DEPTH` levels of
nesting and ``DMAF_MAX_YAML_MB`` (default 4 MB) of text.

Outputs
-------
:func:`atomic_path` is the one writing helper. A regular file (or a path that
does not exist yet) is replaced atomically: the data go to a temporary file
beside it, which is renamed onto it only when complete. A symbolic link is
followed, so the file it points to is replaced and the link stays. A named pipe
or a device (``/dev/stdout``, ``/dev/null``) is written *through*: it is opened
and written, never replaced by a regular file. An output that is one of the
inputs of the same command is refused.
"""
from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

import yaml

from ..errors import ConfigurationError, DmafError, InputFileError, WriteError

__all__ = ["DEFAULT_MAX_INPUT_MB", "MAX_INPUT_ENV", "MAX_YAML_ENV", "YAML_MAX_DEPTH", "atomic_path",
           "check_input_path", "decode_text", "load_yaml", "max_input_bytes", "max_yaml_bytes",
           "read_input_bytes", "read_input_text", "refuse_input_as_output", "text_encoding",
           "write_bytes_atomic", "write_text_atomic"]

#: Environment variable holding the input size limit in megabytes.
MAX_INPUT_ENV = "DMAF_MAX_INPUT_MB"
#: Default input size limit (megabytes).
DEFAULT_MAX_INPUT_MB = 256
#: Environment variable holding the YAML size limit in megabytes.
MAX_YAML_ENV = "DMAF_MAX_YAML_MB"
DEFAULT_MAX_YAML_MB = 4
#: Deepest nesting of mappings and lists accepted in a YAML file.
YAML_MAX_DEPTH = 40

_MB = 1024 * 1024


def _limit_from_env(variable: str, default: int) -> int:
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default * _MB
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{variable}={raw!r}: expected a size in megabytes, such as 512") from None
    if not (value > 0 and value < 1e9):
        raise ConfigurationError(f"{variable}={raw!r}: expected a positive size in megabytes, such as 512")
    return int(value * _MB)


def max_input_bytes() -> int:
    """Largest input file accepted, in bytes (``DMAF_MAX_INPUT_MB`` megabytes, default 256)."""
    return _limit_from_env(MAX_INPUT_ENV, DEFAULT_MAX_INPUT_MB)


def max_yaml_bytes() -> int:
    """Largest YAML file accepted, in bytes (``DMAF_MAX_YAML_MB`` megabytes, default 4)."""
    return _limit_from_env(MAX_YAML_ENV, DEFAULT_MAX_YAML_MB)


def _size_text(n: int) -> str:
    for unit, factor in (("GB", 1024 ** 3), ("MB", _MB), ("KB", 1024)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{n} bytes"


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied (the file or one of its folders cannot be read)"
    return exc.strerror or str(exc)


def check_input_path(path: str | Path, *, expected: str, error: type[DmafError] = InputFileError,
                     max_bytes: int | None = None, limit_hint: str | None = None) -> os.stat_result:
    """Check that ``path`` is a readable regular file within the size limit; return its ``stat``.

    Raises ``error`` (a :class:`~dmaf_analysis.errors.DmafError`) naming the
    path and saying what it is instead: missing, a folder, a named pipe, a
    device, unreadable, or larger than the limit (with how to raise it).
    """
    name = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise error(f"{name}: no such file") from None
    except OSError as exc:
        raise error(f"{name}: cannot open the file: {_os_reason(exc)}") from None
    kind = _kind(st.st_mode)
    if kind is not None:
        raise error(f"{name}: is {kind}, not a regular file; expected {expected}")
    limit = max_input_bytes() if max_bytes is None else max_bytes
    if st.st_size > limit:
        hint = limit_hint or (f"raise the limit with 'dmaf --max-size MB ...' or the environment variable "
                              f"{MAX_INPUT_ENV}")
        raise error(f"{name}: the file is {_size_text(st.st_size)}, larger than the limit of "
                    f"{_size_text(limit)}; {hint}")
    return st


def read_input_bytes(path: str | Path, *, expected: str, error: type[DmafError] = InputFileError,
                     max_bytes: int | None = None, limit_hint: str | None = None,
                     allow_empty: bool = False) -> bytes:
    """The bytes of an input file, after :func:`check_input_path`.

    The file is opened without blocking and checked again once open, so a path
    swapped for a named pipe in between cannot make the read wait; at most the
    limit plus one byte is read. Empty (or blank) files are refused unless
    ``allow_empty``; ``expected`` says what the file should have been.
    """
    name = str(path)
    limit = max_input_bytes() if max_bytes is None else max_bytes
    check_input_path(path, expected=expected, error=error, max_bytes=limit, limit_hint=limit_hint)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error(f"{name}: cannot open the file: {_os_reason(exc)}") from None
    try:
        kind = _kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise error(f"{name}: is {kind}, not a regular file; expected {expected}")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise error(f"{name}: cannot read the file: {_os_reason(exc)}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        hint = limit_hint or f"raise the limit with 'dmaf --max-size MB ...' or {MAX_INPUT_ENV}"
        raise error(f"{name}: the file is larger than the limit of {_size_text(limit)}; {hint}")
    if not allow_empty and not data.strip():
        raise error(f"{name}: the file is empty; expected {expected}")
    return data


_MAGIC = (
    (b"%PDF", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook? save it as CSV)"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (an Excel .xls workbook? save it as CSV)"),
    (b"PAR1", "a Parquet file: give it the suffix .parquet"),
    (b"\x1f\x8b", "a gzip-compressed file (decompress it first)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)


def text_encoding(data: bytes) -> str | None:
    """The name of a Unicode encoding other than UTF-8 that ``data`` is in, if it shows one."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    head = data[:4096]
    if len(head) >= 4 and head.count(0) * 2 >= len(head) * 0.8:
        even, odd = head[0::2], head[1::2]
        if even.count(0) >= 0.9 * len(even) or odd.count(0) >= 0.9 * len(odd):
            return "UTF-16"
    return None


def decode_text(data: bytes, name: str, *, expected: str, error: type[DmafError] = InputFileError) -> str:
    """``data`` decoded as UTF-8 (a byte-order mark is dropped).

    UTF-16 and UTF-32 text is named as such ("save it as UTF-8"); other binary
    data is refused, naming the format when its first bytes show it (PDF, ZIP /
    Excel, Parquet ...); other encodings give the offset of the first bad byte.
    """
    encoding = text_encoding(data)
    if encoding:
        raise error(f"{name}: the file is {encoding} text; save it as UTF-8 (expected {expected})")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise error(f"{name}: this is a binary file ({what}), not {expected}")
    if b"\x00" in data[:4096]:
        raise error(f"{name}: this is a binary file, not {expected}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start:exc.start + 1].hex()
        raise error(f"{name}: not UTF-8 text (byte 0x{bad} at offset {exc.start}; perhaps Latin-1 or "
                    f"Windows-1252): save it as UTF-8 (expected {expected})") from None


def read_input_text(path: str | Path, *, expected: str, error: type[DmafError] = InputFileError,
                    max_bytes: int | None = None, limit_hint: str | None = None) -> str:
    """:func:`read_input_bytes` then :func:`decode_text`."""
    data = read_input_bytes(path, expected=expected, error=error, max_bytes=max_bytes, limit_hint=limit_hint)
    return decode_text(data, str(path), expected=expected, error=error)


# ------------------------------------------------------------------------------ YAML
class _LimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases and with a nesting limit.

    Aliases are what make a 4 KB file expand to billions of items; nesting
    beyond :data:`YAML_MAX_DEPTH` is refused before Python's recursion limit.
    """

    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in this file; write the values out",
                event.start_mark)
        self._depth += 1
        try:
            if self._depth > YAML_MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"the file is nested more than {YAML_MAX_DEPTH} levels deep",
                    self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _yaml_reason(exc: yaml.YAMLError) -> str:
    """'problem at line L, column C' from a PyYAML error (the text without the quoted source)."""
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{' '.join(str(problem).split())}{where}"


def load_yaml(path: str | Path, *, what: str, error: type[DmafError] = InputFileError):
    """Parse a small YAML file safely; every failure raises ``error`` naming ``path``.

    ``what`` names the file's role in messages ("framework file"). Limits: regular
    files only, ``DMAF_MAX_YAML_MB`` megabytes (default 4), no aliases, at most
    :data:`YAML_MAX_DEPTH` levels of nesting. Returns the parsed value.
    """
    name = str(path)
    hint = f"raise the limit with the environment variable {MAX_YAML_ENV}"
    text = read_input_text(path, expected=f"a YAML {what}", error=error, max_bytes=max_yaml_bytes(),
                           limit_hint=hint)
    try:
        return yaml.load(text, Loader=_LimitedLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise error(f"{name}: not valid YAML ({what}): {_yaml_reason(exc)}") from None
    except (RecursionError, MemoryError, ValueError, TypeError, OverflowError) as exc:
        raise error(f"{name}: the YAML {what} cannot be read ({type(exc).__name__})") from None


# --------------------------------------------------------------------------- writing
def _file_mode() -> int:
    """Mode of a new file under the process umask (what ``open`` would give)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _file_mode()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def refuse_input_as_output(target: str | Path, inputs: Iterable[str | Path | None]) -> None:
    """Raise :class:`WriteError` when ``target`` is one of ``inputs`` (same file, any spelling)."""
    target = Path(target)
    for source in inputs:
        if source and Path(source).exists() and not Path(source).is_dir() and _same_file(target, Path(source)):
            raise WriteError(f"{target}: is also an input of this command ({source}); "
                             "write the output to another file")


def _write_error(target: Path, exc: OSError) -> WriteError:
    return WriteError(f"{target}: cannot write the file ({exc.strerror or exc})")


@contextmanager
def atomic_path(target: str | Path, *, inputs: Iterable[str | Path | None] = ()):
    """Yield a temporary path to write; on success the data reach ``target``.

    * ``target`` missing or a regular file: the temporary file sits beside it and
      is renamed onto it (atomic: no half-written file is ever visible under the
      final name; on an exception ``target`` is left untouched);
    * a symbolic link: followed, the file it points to is replaced atomically and
      the link stays;
    * a named pipe or a device: written through (opened and written, never
      replaced by a regular file);
    * a folder, or one of ``inputs``: refused.

    Failures raise :class:`~dmaf_analysis.errors.WriteError` (an ``OSError`` and
    a ``DmafError``) naming ``target``, never the temporary file.
    """
    target = Path(target)
    refuse_input_as_output(target, inputs)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _write_error(target, exc) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise WriteError(f"{target}: is a folder; give a file name to write to")
    if st is not None and stat.S_ISSOCK(st.st_mode):
        raise WriteError(f"{target}: is a socket; give a file name to write to")
    if st is not None and not stat.S_ISREG(st.st_mode):
        with _write_through(target) as tmp:
            yield tmp
        return
    real = Path(os.path.realpath(target)) if target.is_symlink() else target
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
        os.close(fd)
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        yield Path(tmp)
        os.chmod(tmp, _FILE_MODE)  # mkstemp makes 0600 files; give the usual umask-based mode
        os.replace(tmp, real)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, WriteError):
            raise
        raise _write_error(target, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _open_write_through(target: Path):
    """Open a named pipe or a device for writing without waiting: a pipe that nobody reads is an error.

    The open is non-blocking (a FIFO without a reader fails at once with ENXIO
    instead of waiting for ever); once open, the descriptor blocks again so the
    writes wait for a slow reader as usual.
    """
    import fcntl

    try:
        fd = os.open(target, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise WriteError(f"{target}: is a named pipe (FIFO) that no program is reading; start the reader "
                             "first (e.g. 'cat FIFO &'), or write to a regular file") from None
        raise
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    return os.fdopen(fd, "wb")


@contextmanager
def _write_through(target: Path):
    """Collect the output in a private temporary file, then copy it into ``target`` (a pipe or device)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".dmaf-out.", suffix=".tmp")
        os.close(fd)
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        yield Path(tmp)
        with open(tmp, "rb") as src, _open_write_through(target) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except BrokenPipeError:
        raise WriteError(f"{target}: the reader closed the pipe before all the output was written") from None
    except OSError as exc:
        if isinstance(exc, WriteError):
            raise
        if exc.errno == errno.EPIPE:
            raise WriteError(f"{target}: the reader closed the pipe") from None
        raise _write_error(target, exc) from exc
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_text_atomic(target: str | Path, text: str, *, inputs: Iterable[str | Path | None] = ()) -> Path:
    """Write ``text`` (UTF-8) to ``target`` through :func:`atomic_path`."""
    with atomic_path(target, inputs=inputs) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_bytes_atomic(target: str | Path, data: bytes, *, inputs: Iterable[str | Path | None] = ()) -> Path:
    """Write ``data`` to ``target`` through :func:`atomic_path`."""
    with atomic_path(target, inputs=inputs) as tmp:
        tmp.write_bytes(data)
    return Path(target)
