"""declog: decisions, owners, mechanisms and corrections of error as YAML records in git."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
