"""The book's API reference documents every public module of the package."""
import pkgutil
from pathlib import Path

import lstm_course

ROOT = Path(__file__).resolve().parents[1]


def test_every_public_module_is_in_the_api_reference():
    reference = (ROOT / "reference" / "api.md").read_text()
    top_level = {f"lstm_course.{module.name}" for module in pkgutil.iter_modules(lstm_course.__path__)
                 if not module.name.startswith("_")}
    missing = sorted(name for name in top_level if f"automodule:: {name}\n" not in reference)
    assert missing == [], f"add these modules to reference/api.md: {missing}"
