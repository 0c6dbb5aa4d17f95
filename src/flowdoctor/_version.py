"""The version, in one place (the package and the API both read it)."""

__version__ = "0.1.0"
