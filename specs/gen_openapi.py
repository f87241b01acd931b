"""Export the passport service's OpenAPI document to specs/openapi.json.

Run from the repository root: ``python specs/gen_openapi.py`` rewrites specs/openapi.json;
``--check`` exits 1 if it is stale. A test runs the check. The document comes from the app
itself (``create_app(...).openapi()``), built on a throwaway SQLite store.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from batterypass.service import Settings, create_app
from batterypass.verify import TrustStore

OUT = Path(__file__).resolve().parent / "openapi.json"


def document() -> dict[str, Any]:
    """The OpenAPI document of the app (independent of its store and trust)."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(db_url=f"sqlite:///{folder}/openapi.db", trust=TrustStore()))
        try:
            return app.openapi()
        finally:
            app.state.store.close()


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            sys.stderr.write(f"{OUT} is stale: run python specs/gen_openapi.py\n")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
