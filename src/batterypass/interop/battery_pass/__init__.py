"""Import and export of the Battery Pass consortium data model v1.2 (SAMM aspect models).

The consortium (repository ``batterypass/BatteryPassDataModel``) describes a battery passport as
seven SAMM aspects, each a JSON document of its own, keyed here by the SAMM aspect name:
``GeneralProductInformation``, ``CarbonFootprintForBatteries``, ``SupplyChainDueDiligence``,
``MaterialComposition``, ``Circularity``, ``PerformanceAndDurability`` and ``Labeling`` (see
:data:`ASPECT_URNS`). All are version 1.2.0, except that PerformanceAndDurability is written in
version 1.2.1 (or 1.2.0 on request: ``export_aspects(..., performance_version="1.2.0")``) and
read in 1.2.0 and 1.2.1.

Public API:

- :func:`export_aspects` writes a passport as aspect documents and reports, in the returned
  :class:`AspectDocuments`, every piece of data it could not carry (``lost``), every property
  the consortium requires that the passport does not hold (``missing``) and every value it
  wrote that the consortium model does not accept (``deviation``). ``strict=True`` refuses any
  loss instead.
- :func:`import_aspects` reads any subset of aspect documents into a passport. Unknown
  properties, wrong types and values the passport model rejects raise
  :class:`~batterypass.errors.ValidationError` naming the aspect, the JSON pointer and the
  problem. Data the passport model has no place for is dropped and described in ``notes``.
- :func:`detect_aspect`, :func:`read_aspect_file`, :func:`read_aspect_files` and
  :func:`dumps_aspect` handle the documents themselves (UTF-8, UTF-16 and UTF-32, with or
  without byte-order mark).

The property names on the wire are the consortium's, misspellings included
(``warrentyPeriod``, ``batteryTechicalProperties``, ``thirdPartyAussurances`` ...). The plain
one-to-one fields are rules of the rule engine (:data:`RULES`), one module per aspect holds
them next to the hand-written quirks. Every mapping, unit conversion and quirk is described in
``specs/battery-pass-mapping.md``; its tables are generated from :data:`LONGLIST_MAPPING`
(rules and hand-written rows) and the model.
"""

from __future__ import annotations

from batterypass.interop.battery_pass._carbon import UNREADABLE_STAGES
from batterypass.interop.battery_pass._codec import export_aspects, import_aspects
from batterypass.interop.battery_pass._common import AspectDocuments, ExportNote
from batterypass.interop.battery_pass._files import (
    MAX_ASPECT_BYTES,
    detect_aspect,
    detect_performance_version,
    dumps_aspect,
    read_aspect_file,
    read_aspect_files,
)
from batterypass.interop.battery_pass._mapping import (
    LONGLIST_MAPPING,
    OTHER_FIELDS,
    RULES,
    WIRE_NOTES,
    LonglistMapping,
    mapping_table_markdown,
)
from batterypass.interop.battery_pass._schema import (
    ASPECT_URNS,
    ASPECTS,
    CARBON_FOOTPRINT,
    CIRCULARITY,
    DUE_DILIGENCE,
    GENERAL,
    LABELS,
    MATERIALS,
    PERFORMANCE,
    PERFORMANCE_EXPORT_VERSION,
    PERFORMANCE_VERSIONS,
)

__all__ = [
    "ASPECTS",
    "ASPECT_URNS",
    "CARBON_FOOTPRINT",
    "CIRCULARITY",
    "DUE_DILIGENCE",
    "GENERAL",
    "LABELS",
    "LONGLIST_MAPPING",
    "MATERIALS",
    "MAX_ASPECT_BYTES",
    "OTHER_FIELDS",
    "PERFORMANCE",
    "PERFORMANCE_EXPORT_VERSION",
    "PERFORMANCE_VERSIONS",
    "RULES",
    "UNREADABLE_STAGES",
    "WIRE_NOTES",
    "AspectDocuments",
    "ExportNote",
    "LonglistMapping",
    "detect_aspect",
    "detect_performance_version",
    "dumps_aspect",
    "export_aspects",
    "import_aspects",
    "mapping_table_markdown",
    "read_aspect_file",
    "read_aspect_files",
]
