"""Tooling for bin/lint: import-linter's custom contract types (configured in pyproject.toml)."""
