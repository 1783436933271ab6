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
from . import escaping, fileio, numeric, paths, slug, yamlkeys

__all__ = [
    "escaping", "fileio", "numeric", "paths", "slug", "yamlkeys"
]
