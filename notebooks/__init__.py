"""The report notebooks, installed as package data (read through importlib.resources)."""
