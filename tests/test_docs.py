"""The book's API reference documents every public module of the package."""
import pkgutil
from pathlib import Path

import lstm_course

ROOT = Path(__file__).resolve().parents[1]
# Documented through their package's members (``:imported-members:``); checks.grading stays off the page.
DOCUMENTED_BY_THEIR_PACKAGE = ("lstm_course.plots.", "lstm_course.widgets.", "lstm_course.checks.")


def test_every_public_module_is_in_the_api_reference():
    reference = (ROOT / "reference" / "api.md").read_text()
    public = {info.name for info in pkgutil.walk_packages(lstm_course.__path__, "lstm_course.")
              if not any(part.startswith("_") for part in info.name.split("."))
              and not info.name.startswith(DOCUMENTED_BY_THEIR_PACKAGE)}
    missing = sorted(name for name in public if f"automodule:: {name}\n" not in reference)
    assert missing == [], f"add these modules to reference/api.md: {missing}"
