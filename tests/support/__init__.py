"""Helpers shared by several test modules (importable because ``pythonpath`` includes tests/)."""
