"""The toolkit's version: pages, the manifest and the index read it from here."""

__all__ = ["__version__"]

__version__ = "0.1.0"
