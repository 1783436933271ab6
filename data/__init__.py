"""The bundled data, installed as package data (read through importlib.resources)."""
