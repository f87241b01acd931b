"""batterypass: EU battery passports (Regulation (EU) 2023/1542, Art. 77 and Annex XIII)."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
