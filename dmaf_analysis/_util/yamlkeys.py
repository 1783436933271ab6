"""Strict YAML schemas: the line of every key, and a message for a key that is not known.

:func:`load_yaml_with_lines` parses a file like :func:`~dmaf_analysis._util.fileio.load_yaml`
and also returns where each key sits (``{("components", 2, "wieght"): 19}``: paths of
mapping keys and list positions, counting lines from 1); :func:`unknown_key_message`
words an unknown key with the closest known one ("unknown key 'wieght'; did you mean
'weight'?"), and :func:`check_keys` raises it.
"""
from __future__ import annotations

import difflib
from pathlib import Path

import yaml

from .fileio import _LimitedLoader, load_yaml, max_yaml_bytes, read_input_text

__all__ = ["KeyLines", "check_keys", "closest_key", "key_lines", "load_yaml_with_lines", "unknown_key_message"]

#: Key path (mapping keys as text, list positions as ints) -> line number (from 1).
KeyLines = dict[tuple, int]


def key_lines(text: str) -> KeyLines:
    """Where each mapping key of the YAML ``text`` sits: key path -> line (from 1); ``{}`` if unreadable."""
    try:
        root = yaml.compose(text, Loader=_LimitedLoader)  # noqa: S506 - a SafeLoader subclass
    except (yaml.YAMLError, RecursionError, ValueError):
        return {}
    out: KeyLines = {}

    def walk(node, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = path + (str(key.value),)
                out.setdefault(sub, key.start_mark.line + 1)
                walk(value, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                out.setdefault(path + (i,), item.start_mark.line + 1)
                walk(item, path + (i,))

    if root is not None:
        walk(root, ())
    return out


def load_yaml_with_lines(path: str | Path, *, what: str, error) -> tuple[object, KeyLines]:
    """:func:`~dmaf_analysis._util.fileio.load_yaml` and :func:`key_lines` of the same file."""
    data = load_yaml(path, what=what, error=error)
    text = read_input_text(path, expected=f"a YAML {what}", error=error, max_bytes=max_yaml_bytes())
    return data, key_lines(text)


def closest_key(key, known) -> str | None:
    """The known key closest in spelling to ``key`` (case and ``-``/``_`` ignored), or None."""
    text = str(key).strip().lower().replace("-", "_").replace(" ", "_")
    known = [str(k) for k in known]
    for k in known:
        if k.lower() == text:
            return k
    close = difflib.get_close_matches(text, known, n=1, cutoff=0.6)
    if close:
        return close[0]
    prefixed = [k for k in known if len(text) >= 2 and (k.lower().startswith(text) or text.startswith(k.lower()))]
    return prefixed[0] if len(prefixed) == 1 else None


def unknown_key_message(key, known, *, where: str = "", line: int | None = None) -> str:
    """``"line 19: unknown key 'wieght' in component #3; did you mean 'weight'? ..."``."""
    at = f"line {line}: " if line else ""
    inside = f" in {where}" if where else ""
    guess = closest_key(key, known)
    hint = f"; did you mean {guess!r}?" if guess else ""
    return f"{at}unknown key {str(key)!r}{inside}{hint} (known keys: {', '.join(map(str, known))})"


def check_keys(mapping, known, *, source: str, error, where: str = "", path: tuple = (),
               lines: KeyLines | None = None) -> None:
    """Raise ``error`` naming ``source``, the line and the closest known key for the first unknown key.

    ``path`` is where ``mapping`` sits in the file (for :func:`key_lines`); a
    non-mapping is left to the caller's own checks.
    """
    if not isinstance(mapping, dict):
        return
    for key in mapping:
        if str(key) not in known:
            line = (lines or {}).get(path + (str(key),))
            raise error(f"{source}: {unknown_key_message(key, known, where=where, line=line)}")
