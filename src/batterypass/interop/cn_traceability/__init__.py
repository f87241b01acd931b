"""The lifecycle events a traction-battery maker reports to China's traceability platform, as
a documented JSON file keyed by the GB/T 34014 code.

There is no public API for the national platform (新能源汽车国家监测与动力蓄电池回收利用溯源
综合管理平台); this file is for an integrator who uploads the data. It is built only from a
*verified* event log (:class:`~batterypass.lifecycle.VerifiedChain`): nothing unverified is
exported. The format, the mapping of batterypass events to the national stages and what is
assumed are in ``specs/cn-traceability.md``.
"""

from __future__ import annotations

from batterypass.interop.cn_traceability._export import (
    EVENT_KINDS,
    FORMAT,
    NationalEventKind,
    dumps_traceability,
    traceability_document,
)

__all__ = [
    "EVENT_KINDS",
    "FORMAT",
    "NationalEventKind",
    "dumps_traceability",
    "traceability_document",
]
