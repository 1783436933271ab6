"""Old import path of :mod:`dmaf_analysis.slug` (safe file names for names from data).

The slug functions serve more than the batch, so they live in :mod:`dmaf_analysis.slug`;
this module re-exports them so that ``from dmaf_analysis.batch.slug import slugify``
keeps working.
"""
from __future__ import annotations

from ..slug import MAX_SLUG_LENGTH, identifier_slug, is_safe_slug, slugify, unique_slugs

__all__ = ["MAX_SLUG_LENGTH", "identifier_slug", "is_safe_slug", "slugify", "unique_slugs"]
