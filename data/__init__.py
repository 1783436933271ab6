"""The bundled data, installed as package data (read through importlib.resources)."""

__all__ = []  # package data only: no Python names
