"""axe-core checks for browser tests: fail on serious or critical accessibility problems.

axe-playwright-python bundles axe-core, so this runs offline.
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

BLOCKING = {"serious", "critical"}
AXE = Axe()


def assert_accessible(page: Page, where: str) -> None:
    results = AXE.run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in blocking
    )
    assert not blocking, f"{where}: serious accessibility problems:\n{details}"
    # axe really ran (the bad-page test shows it finds problems when they are there)
    assert results.response["testEngine"]["name"] == "axe-core"
