"""The launch-button configuration shown on reference/run_it_yourself.md builds and adds the buttons.

Builds a two-page book (the intro and a one-cell notebook, not executed) with the book's own
_config.yml plus the page's YAML block, offline, and checks the launch links in the HTML.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "reference" / "run_it_yourself.md"


def launch_block():
    text = PAGE.read_text(encoding="utf8")
    match = re.search(r"<!-- launch-config:.*?-->\n```yaml\n(.*?)```", text, re.S)
    assert match, "the page lost its launch-config block"
    return yaml.safe_load(match.group(1))


def merged(base, extra):
    result = dict(base)
    for key, value in extra.items():
        result[key] = merged(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) \
            else value
    return result


def test_the_launch_configuration_on_the_page_builds_and_adds_every_button(tmp_path):
    extra = launch_block()
    config = merged(yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf8")), extra)
    config["execute"] = {"execute_notebooks": "off"}
    config["sphinx"]["local_extensions"] = {name: str(ROOT / path)
                                            for name, path in config["sphinx"]["local_extensions"].items()}
    config["only_build_toc_files"] = True
    if "bibtex_bibfiles" in config:
        config["bibtex_bibfiles"] = [str(ROOT / path) for path in config["bibtex_bibfiles"]]
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf8")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: lesson\n")
    (tmp_path / "intro.md").write_text("# Tiny\n\nA front page.\n")
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Lesson\n"], "id": "a1"},
                          {"cell_type": "code", "metadata": {}, "source": ["1 + 1"], "outputs": [],
                           "execution_count": None, "id": "a2"}],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "lesson.ipynb").write_text(json.dumps(notebook), encoding="utf8")
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build", "-W", "-n", "--keep-going",
               str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = (tmp_path / "_build" / "html" / "lesson.html").read_text(encoding="utf8")
    repository = extra["repository"]["url"].rstrip("/")
    organisation_and_name = repository.split("github.com/")[1]
    assert f"https://mybinder.org/v2/gh/{organisation_and_name}/main?urlpath=lab/tree/lesson.ipynb" in html
    assert f"https://colab.research.google.com/github/{organisation_and_name}/blob/main/lesson.ipynb" in html
    assert "https://hub.example.edu/hub/user-redirect/git-pull?repo=" in html
    assert f'href="{repository}"' in html


class _UniqueKeyLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        duplicated = {key for key in keys if keys.count(key) > 1}
        assert not duplicated, (f"duplicated keys {duplicated} (YAML keeps only the last one) "
                                f"near line {node.start_mark.line}")
        return super().construct_mapping(node, deep=deep)


def test_the_book_configuration_has_no_duplicated_keys():
    yaml.load((ROOT / "_config.yml").read_text(encoding="utf8"), Loader=_UniqueKeyLoader)
    yaml.load((ROOT / "_toc.yml").read_text(encoding="utf8"), Loader=_UniqueKeyLoader)


def test_the_module_table_names_existing_notebooks_and_modules():
    text = PAGE.read_text(encoding="utf8")
    rows = re.findall(r"^\| \d+ \| `([^`]+\.ipynb)` \| (.+) \|$", text, re.M)
    assert len(rows) >= 8
    for notebook, modules in rows:
        assert (ROOT / notebook).exists(), notebook
        for module in re.findall(r"`([\w.]+)`", modules):
            path = ROOT / "lstm_course" / (module.replace(".", "/") + ".py")
            assert path.exists(), f"{notebook}: lstm_course.{module}"
