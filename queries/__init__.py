"""The named SQL queries, one file per query, a folder per area.

This folder is the top-level ``queries/`` of the repository, shipped as the package
``qualitylab.queries`` (``[tool.setuptools] package-dir`` in pyproject.toml); it holds no Python.
Read a query with :func:`qualitylab.store.sql`.
"""
