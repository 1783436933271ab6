"""Helpers with no DMAF knowledge, shared by every layer above.

========== ==============================================================
``numeric``  tolerances, number formatting, summary statistics
``fileio``   input checks, atomic writes, safe YAML
``slug``     safe file names and identifiers from names found in data
``escaping`` text for charts and terminals
``paths``    where the bundled data, the notebooks and the outputs are
``yamlkeys`` strict YAML schemas: key lines, unknown-key messages
========== ==============================================================

Import from the module: ``from dmaf_analysis._util.numeric import format_number``.
"""
import importlib as _importlib

_MODULES = ("escaping", "fileio", "numeric", "paths", "slug", "yamlkeys")


def __getattr__(name):
    # each module is loaded on first use, so that importing one of them (``escaping`` for the
    # command line's help) does not load numpy and pandas through the others
    if name in _MODULES:
        return _importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "escaping", "fileio", "numeric", "paths", "slug", "yamlkeys"
]
