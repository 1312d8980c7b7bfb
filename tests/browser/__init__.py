"""Helpers for the real-browser check of the notebooks (tests/test_notebooks_browser.py)."""
