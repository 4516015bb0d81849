"""The single place the kamcore version is written."""

__version__ = "0.1.0"
