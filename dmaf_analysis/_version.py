"""The toolkit's version: pages, the manifest and the index read it from here."""

__version__ = "0.1.0"
