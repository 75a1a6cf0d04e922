"""The package's layout: one table in two places, and no private name crossing a folder.

``lstm_course/__init__.py`` (its docstring) and ``reference/api.md`` carry the same table: one row per
chapter (plus a row of the modules several chapters share), one column per folder, each public module
under the chapter that introduces it. The tests fail when a module under ``lstm_course/`` is missing
from the table, is listed under a folder it is not in, is listed twice or does not exist, when the two
copies differ, and when a folder imports from a folder its ``__init__`` docstring does not allow.
Private modules (``nn/_lstm_kernels.py``, ``plots/_common.py``, ...) are not listed; their folder's
docstring names them.

No underscored name (a ``_x`` function, class or module attribute, or a ``_x`` module) may be imported
from a module in another folder (``from lstm_course.nn.rnn import _x``, ``rnn._x(...)``): a kernel
that another folder needs is public in its module. The root infrastructure is the exception:
``_validation`` and ``_progress`` hold the internals every folder shares and may be
imported from anywhere.
"""
import ast
import re
from pathlib import Path

import lstm_course

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lstm_course"
SHARED_INTERNALS = {"lstm_course._validation", "lstm_course._progress"}
# What each folder may import besides the root infrastructure and itself (see its __init__ docstring);
# a folder's subfolders count as the folder.
CORE = {"nn", "models", "train", "data", "online", "lab"}
ALLOWED_IMPORTS = {
    "nn": set(),
    "models": {"nn"},
    "train": {"nn", "models", "data"},
    "data": set(),
    "online": {"nn", "models"},
    "lab": CORE - {"lab"},
    "plots": CORE,
    "widgets": CORE | {"plots"},
    "checks": CORE,
}
# Module-level exceptions, each stated in its folder's docstring.
ALLOWED_EXCEPTIONS = {
    ("data/masking", "nn"), ("data/masking", "models"),   # the LSTM step and the readout under a mask
}


# ----------------------------------------------------------------------------- the table
def parse_table(text):
    """{module path such as "train/tbptt/engine": number of times listed} from the table in ``text``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"\|\s*chapter\s*\|", line))
    folders = [cell.strip() for cell in lines[start].strip().strip("|").split("|")][1:]
    listed = {}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")][1:]
        assert len(cells) == len(folders), f"row with {len(cells)} cells under {len(folders)} folders: {line}"
        for folder, cell in zip(folders, cells):
            for name in filter(None, (name.strip().strip("`") for name in cell.split(","))):
                path = f"{folder}/{name.replace('.', '/')}"
                listed[path] = listed.get(path, 0) + 1
    return listed


def table_rows(text):
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"\|\s*chapter\s*\|", line))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append(line.strip())
    return rows


def public_modules(package=PACKAGE):
    """Every public module under the package, as a path without ``.py``: "nn/rnn", "train/tbptt/engine"."""
    found = set()
    for path in package.rglob("*.py"):
        parts = path.relative_to(package).with_suffix("").parts
        if "__pycache__" in parts or parts[-1] == "__init__" or any(part.startswith("_") for part in parts):
            continue
        found.add("/".join(parts))
    return found


def table_problems(listed, existing):
    problems = []
    by_name = {}
    for path in existing:
        by_name.setdefault(path.rsplit("/", 1)[-1], []).append(path)
    for path in sorted(existing - set(listed)):
        root = "" if "/" in path else ": a module at the package root belongs in a folder"
        problems.append(f"{path} is missing from the table{root}")
    for path in sorted(set(listed) - existing):
        elsewhere = [p for p in by_name.get(path.rsplit("/", 1)[-1], []) if p != path]
        if elsewhere:
            problems.append(f"{path} is listed under the wrong folder: the module is {', '.join(elsewhere)}")
        else:
            problems.append(f"{path} is listed but does not exist")
    problems += [f"{path} is listed {count} times" for path, count in sorted(listed.items()) if count > 1]
    return problems


def docstring_table():
    return lstm_course.__doc__


def api_table():
    return (ROOT / "reference" / "api.md").read_text(encoding="utf-8")


def test_the_package_docstring_table_lists_every_module_in_its_folder():
    problems = table_problems(parse_table(docstring_table()), public_modules())
    assert problems == [], "fix the table in lstm_course/__init__.py:\n" + "\n".join(problems)


def test_the_api_page_carries_the_same_table():
    assert table_rows(api_table()) == table_rows(docstring_table()), \
        "reference/api.md's table differs from the one in lstm_course/__init__.py"


def test_the_table_check_fails_on_a_missing_a_misplaced_and_an_invented_module():
    text = docstring_table()
    existing = public_modules()
    broken = (text.replace("| rnn |", "| |", 1)             # chapter 2's rnn: missing
              .replace("| recurrent, autoregression |", "| autoregression |", 1)   # chapter 3's model ...
              .replace("| bptt_cost |", "| bptt_cost, recurrent |", 1)   # ... listed under lab/
              .replace("| ch09 |", "| ch09, ch10 |", 1))     # a checker that does not exist
    problems = table_problems(parse_table(broken), existing)
    assert len(problems) == 4, problems
    assert "nn/rnn is missing from the table" in problems
    assert "models/recurrent is missing from the table" in problems
    assert "lab/recurrent is listed under the wrong folder: the module is models/recurrent" in problems
    assert "checks/ch10 is listed but does not exist" in problems
    assert table_problems({}, {"baseline"}) == [
        "baseline is missing from the table: a module at the package root belongs in a folder"]


# ----------------------------------------------------------------------------- imports
def _dotted(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts), parts[-1] == "__init__"


def package_sources():
    """{dotted module name: (source, is_package)} for every module of the package."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "__pycache__" not in path.parts:
            name, is_package = _dotted(path)
            found[name] = (path.read_text(encoding="utf-8"), is_package)
    return found


def _folder(module, packages):
    """The folder a module lives in, relative to the package ("" for the root): "nn", "train/tbptt"."""
    parts = module.split(".")[1:]
    return "/".join(parts if module in packages else parts[:-1])


def _absolute(node, module, is_package):
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _private(name):
    return name.startswith("_") and not name.startswith("__")


def _imports(module, source, is_package, modules):
    """(imported module, imported name or None, line) for every use of the package in ``source``.

    ``from lstm_course.nn import rnn`` yields ("lstm_course.nn.rnn", None); ``from lstm_course.nn.rnn
    import _x`` and ``rnn._x`` yield ("lstm_course.nn.rnn", "_x").
    """
    tree = ast.parse(source)
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            origin = _absolute(node, module, is_package)
            if origin.split(".")[0] != "lstm_course":
                continue
            for alias in node.names:
                submodule = f"{origin}.{alias.name}"
                if submodule in modules:
                    bound[alias.asname or alias.name] = submodule
                    yield submodule, None, node.lineno
                else:
                    yield origin, alias.name, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "lstm_course":
                    yield alias.name, None, node.lineno
                    if alias.asname:
                        bound[alias.asname] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound:
            yield bound[node.value.id], node.attr, node.lineno


def private_imports(sources, packages):
    """Every underscored name a module imports from a module in another folder."""
    problems = []
    for module, (source, is_package) in sorted(sources.items()):
        here = _folder(module, packages)
        for origin, name, line in _imports(module, source, is_package, set(sources) | packages):
            if origin in SHARED_INTERNALS:
                continue
            origin_folder = _folder(origin, packages)
            private_module = next((part for part in origin.split(".")[1:] if _private(part)), None)
            if name is not None and _private(name):
                what = f"{origin}.{name}"
            elif private_module:
                what = origin
            else:
                continue
            if origin_folder != here:
                problems.append(f"{module} (line {line}) uses {what} from another folder ({origin_folder or 'root'}/)")
    return problems


def test_no_underscored_name_crosses_a_folder():
    sources = package_sources()
    packages = {name for name, (_, is_package) in sources.items() if is_package}
    problems = private_imports(sources, packages)
    assert problems == [], "make these public in their module (or move the caller):\n" + "\n".join(problems)


def test_the_private_import_check_fails_on_an_offending_import():
    sources = package_sources()
    packages = {name for name, (_, is_package) in sources.items() if is_package}
    fake = {"lstm_course.data.fake": ("from lstm_course.nn import lstm, rnn\n"
                                      "from lstm_course.nn.lstm1997 import _secret\n"
                                      "from lstm_course.nn import _lstm_kernels\n"
                                      "from lstm_course._validation import check_shape\n"
                                      "from lstm_course.data.masking import _check_mask\n"
                                      "def f(x):\n"
                                      "    return lstm._step(x) + rnn.rnn_forward(x)\n", False)}
    problems = private_imports({**sources, **fake}, packages)
    assert problems == [
        "lstm_course.data.fake (line 2) uses lstm_course.nn.lstm1997._secret from another folder (nn/)",
        "lstm_course.data.fake (line 3) uses lstm_course.nn._lstm_kernels from another folder (nn/)",
        "lstm_course.data.fake (line 7) uses lstm_course.nn.lstm._step from another folder (nn/)",
    ], problems


def folder_imports(sources, packages):
    """{(module path such as "data/masking", top folder it imports)} across folders, root excluded."""
    found = set()
    for module, (source, is_package) in sources.items():
        here = _folder(module, packages).split("/")[0]
        for origin, _, _ in _imports(module, source, is_package, set(sources) | packages):
            there = _folder(origin, packages).split("/")[0]
            if here and there and there != here:
                found.add(("/".join(module.split(".")[1:]), there))
    return found


def test_each_folder_imports_only_what_its_docstring_allows():
    sources = package_sources()
    packages = {name for name, (_, is_package) in sources.items() if is_package}
    imports = folder_imports(sources, packages)
    wrong = sorted((path, there) for path, there in imports
                   if there not in ALLOWED_IMPORTS[path.split("/")[0]] and (path, there) not in ALLOWED_EXCEPTIONS)
    assert wrong == [], f"imports across folders that the folders' docstrings do not allow: {wrong}"
    stale = sorted(ALLOWED_EXCEPTIONS - imports)
    assert stale == [], f"exceptions no module needs any more (remove them here and in the docstrings): {stale}"


def test_the_checkers_recognise_package_code_in_every_folder():
    """The checkers' guard fingerprints every module, in every folder and subfolder (it walks them)."""
    from lstm_course.checks import _guard
    modules = {name.rsplit(".", 1)[0] for name in _guard.package_code().values()}
    for module in ("lstm_course.nn.rnn", "lstm_course.models.recurrent", "lstm_course.train.tbptt.engine",
                   "lstm_course.data.masking", "lstm_course.online.rtrl", "lstm_course.lab.unrolling"):
        assert any(name == module or name.startswith(module + ".") for name in modules), module
