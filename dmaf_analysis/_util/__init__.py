"""Helpers with no DMAF knowledge, shared by every layer above.

========== ==============================================================
``numeric``  tolerances, number formatting, summary statistics
``fileio``   input checks, atomic writes, safe YAML
``slug``     safe file names and identifiers from names found in data
``escaping`` text for charts and terminals
``paths``    where the bundled data, the notebooks and the outputs are
========== ==============================================================

Import from the module: ``from dmaf_analysis._util.numeric import format_number``.
"""
from . import escaping, fileio, numeric, paths, slug

__all__ = [
    "escaping", "fileio", "numeric", "paths", "slug"
]
