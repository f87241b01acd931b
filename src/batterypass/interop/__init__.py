"""Adapters between the passport model and other exchange formats.

Each format lives in a subpackage of its own (:mod:`batterypass.interop.battery_pass` for the
Battery Pass consortium data model). A format's plain one-to-one fields are described once, as
rules of the declarative rule engine in ``_rules``: one rule drives the export, the import and
the format's generated mapping table in ``specs/``. Only the format's documented quirks are
written by hand next to them.

``interop`` sits above ``model`` and ``codec`` and below ``service`` and ``cli``.
"""

from __future__ import annotations

__all__: list[str] = []
