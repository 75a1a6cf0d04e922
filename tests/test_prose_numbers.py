"""Every number in the chapters' prose is asserted by a code cell, or allow-listed with a reason.

The house rule is that a number quoted in the text is computed by a cell and checked by an
``assert``. This test automates the check as far as it can:

* It reads every markdown cell of ``chapters/*/*.ipynb`` and extracts the numbers a reader would
  take as a claim: digits in the prose ("84%", "14,400", "0.993"), the right-hand side of a
  relation in inline math ("$\\lambda_1 \\approx 1.84$", "$2.66 \\times 10^{-5}$"), and a few
  quantity words ("twice", "two thirds", "four orders of magnitude").
* It skips what is structure, not a claim: 0 and 1, years, chapter/section/figure/exercise
  numbers, the exercise header line (kind, difficulty, time), list markers and bare table numbering, headings, display math ($$...$$, definitions),
  code (inline and fenced), directive options, links and roles ({cite}, {doc}, ...), and the
  arguments of TBPTT(k1, k2)-style names.
* A number is *matched* when an ``assert`` cell of the same notebook contains a numeric literal
  that rounds to it at the precision it is written with (``0.3`` matches 0.28..0.35; ``84%``
  matches 0.84 or 84), or a chained comparison ``lo < expr < hi`` that brackets it no more
  loosely than one unit of its last digit on each side (``about 70%`` matches
  ``0.69 < x < 0.71``, not ``0.5 < x < 0.9``). Quantity words get a 10% relative tolerance (fractions such as "two thirds": 0.02).
* Asserts that students replace or never see do not count for the running text: solution cells
  (nbgrader ``solution: true`` or ``### BEGIN SOLUTION``), hidden tests, and nbgrader grade
  cells (whose outcome depends on the student's code). Numbers inside an exercise's
  ``{solution}`` prose may be matched by the grade cells too.

Whatever is left must be listed in ``tests/prose_numbers_allowlist.txt`` with a reason, one line
per number: ``notebook :: number as written :: up to five words before it :: reason``. Entries
that no longer match any number in the prose make the test fail too, so the list stays honest.

Run ``python tests/test_prose_numbers.py`` for a per-notebook report of unmatched numbers, and
``python tests/test_prose_numbers.py --update-allowlist`` to add the currently unmatched numbers to
the allow-list (existing reasons are kept; new entries get an automatic reason to audit) and drop
stale entries.
"""
import ast
import io
import json
import math
import re
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWLIST = Path(__file__).with_name("prose_numbers_allowlist.txt")
SEPARATOR = " :: "

# ---------------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------------

STRUCTURAL_WORDS = {
    "chapter", "chapters", "section", "sections", "experiment", "experiments", "appendix", "fig",
    "fig.", "figure", "figures", "algorithm", "technique", "techniques", "exercise", "exercises",
    "cell", "cells", "table", "eq", "eq.", "equation", "part", "lesson", "version", "python",
    "issue", "step-size", "row", "rows", "column", "columns", "panel",
}
COUNT_NOUNS_AFTER_YEAR = re.compile(r"^(-|\s*(steps?|sequences?|updates?|epochs?|samples?|units?|"
                                    r"bytes?|points?|matrices)\b)")
UNIT_SUFFIX = re.compile(r"^(%|ms\b|s\b|MB\b|MiB\b|GB\b|GiB\b|KiB\b|kB\b|KB\b|x\b|×)")
ORDINAL_SUFFIX = re.compile(r"^(st|nd|rd|th)\b")
WORD_VALUES = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "twenty": 20, "a hundred": 100, "a thousand": 1000,
}
QUANTITY_WORDS = re.compile(
    r"\b(?P<fraction>two thirds|a third|a quarter|three quarters)\b"
    r"|\b(?P<twice>twice)\b"
    r"|\b(?P<count>" + "|".join(WORD_VALUES) + r")[ -](?P<what>orders? of magnitude|times|fold)\b",
    re.IGNORECASE)
FRACTION_WORDS = {"two thirds": 2 / 3, "a third": 1 / 3, "a quarter": 0.25, "three quarters": 0.75}
NUMBER = re.compile(r"(?<![\w.^_\\/-])(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?")
RELATION = re.compile(r"(=|\\approx|\\simeq|<|>|\\le(?:q)?\b|\\ge(?:q)?\b|\\lt\b|\\gt\b)")
MATH_NUMBER = re.compile(
    r"^\s*(?P<sign>-)?\s*(?P<mant>\d{1,3}(?:\{,\}\d{3})+|\d+(?:\.\d+)?)"
    r"(?:\s*\\times\s*10\^\{?(?P<exp>-?\d+)\}?|\s*/\s*(?P<den>\d+))?(?P<pct>\s*\\%)?")


@dataclass(frozen=True)
class ProseNumber:
    notebook: str      # path relative to the repository root
    cell: int          # index of the markdown cell (code and markdown counted from 0)
    text: str          # the number as written
    value: float
    tolerance: float   # half a unit of the last written digit, or 10% for words
    context: str       # up to five words before the number
    in_solution: bool  # inside an exercise's {solution} prose

    @property
    def key(self):
        return (self.notebook, self.text, self.context)


def _decimals_tolerance(integer_part, fraction_part):
    if fraction_part:
        return 0.5 * 10.0 ** -(len(fraction_part) - 1)
    return 0.5


def _context(text, start):
    words = re.findall(r"[\w.%'’-]+", text[:start])
    return " ".join(words[-5:]).lower()


def _strip_markdown(source):
    """The prose of one markdown cell, with code, display math, headings and options removed."""
    lines, out, in_fence, keep_fence, in_indented = source.split("\n"), [], False, False, False
    previous_blank = True
    for line in lines:
        fence = re.match(r"^\s*(```+|~~~+)\s*(\{(?P<directive>[\w:-]+)\})?", line)
        if fence:
            if in_fence:
                in_fence = False
                continue
            directive = fence.group("directive")
            in_fence = True
            keep_fence = directive is not None and directive not in {
                "literalinclude", "code-cell", "code-block", "code", "math", "glue", "raw"}
            if not keep_fence:
                in_fence = True
            continue
        if in_fence and not keep_fence:
            continue
        if in_fence and re.match(r"^\s*:[\w-]+:", line):          # directive options
            continue
        if (previous_blank or in_indented) and re.match(r"^( {4,}|\t)\S", line) and not re.match(
                r"^\s*([-*+]|\d+\.)\s", line):
            in_indented = True                                    # an indented code block
            continue
        in_indented = False
        previous_blank = not line.strip()
        if re.match(r"^\s{0,3}#{1,6}\s", line):                   # headings
            continue
        if re.match(r"^\s*\*\*Kind:\*\*", line):                  # exercise header: kind, difficulty, time
            continue
        if line.lstrip().startswith("|"):                         # table: drop bare numbering cells
            cells = [cell for cell in line.strip().strip("|").split("|")]
            cells = [re.sub(r"^\s*\d+\.\s", " ", cell) for cell in cells
                     if not re.fullmatch(r"\s*[-:]*\s*|\s*\d{1,2}\s*", cell)]
            line = " | ".join(cells)
        line = re.sub(r"^\s*(\d+\.|[-*+])\s+", " ", line)          # list markers
        out.append(line)
    text = "\n".join(out)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)           # display math: definitions
    text = re.sub(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", " ", text, flags=re.S)
    text = re.sub(r"\{[\w:-]+\}`[^`]*`", " ", text)                 # roles: {cite}`...`, {doc}`...`
    text = re.sub(r"``.*?``|`[^`]*`", " ", text)                    # inline code
    text = re.sub(r"\]\([^)]*\)", "]", text)                        # link targets
    text = re.sub(r"<[^>]+>", " ", text)                            # html
    text = re.sub(r"\b(?:TBPTT|BPTT|TBPTT_|O)\s*\([^()]*\)", " ", text)   # TBPTT(4, 12), O(W)
    return text


def _math_claims(math):
    """Numbers on the right of a relation in one inline formula ("$x \\approx 2.66 \\times 10^{-5}$")."""
    claims = []
    for relation in RELATION.finditer(math):
        match = MATH_NUMBER.match(math[relation.end():])
        if not match:
            continue
        rest = math[relation.end() + match.end():].lstrip()
        if rest[:1].isalpha() or rest[:1] in {"\\", "^", "_", "("} and not rest.startswith(
                ("\\approx", "\\le", "\\ge", "\\lt", "\\gt", "\\quad", "\\qquad", "\\text", "\\%")):
            continue                                       # "= 2\sigma(x) - 1": an expression
        mantissa = match.group("mant").replace("{,}", "")
        value = float(mantissa)
        integer, _, fraction = mantissa.partition(".")
        tolerance = _decimals_tolerance(integer, "." + fraction if fraction else "")
        if match.group("exp"):
            scale = 10.0 ** int(match.group("exp"))
            value, tolerance = value * scale, tolerance * scale
        if match.group("den"):
            value, tolerance = value / int(match.group("den")), 0.005 * value / int(match.group("den"))
        if match.group("pct"):
            value, tolerance = value / 100, tolerance / 100
        if match.group("sign"):
            value = -value
        claims.append((match.group(0).strip(), value, tolerance))
    return claims


def _skip(text, start, end, value, integer_text, has_fraction):
    if abs(value) in (0.0, 1.0):
        return True
    before = text[:start].rstrip()
    previous_word = re.findall(r"[\w.-]+$", before)
    if previous_word and previous_word[0].lower().rstrip(".") in {w.rstrip(".") for w in STRUCTURAL_WORDS}:
        return True
    after = text[end:]
    if ORDINAL_SUFFIX.match(after):
        return True
    if re.match(r"^[A-Za-z_]", after) and not UNIT_SUFFIX.match(after):
        return True                                       # 4H, 2D, float64-like identifiers
    if re.match(r"^\.\d", after):
        return True                                       # version numbers 2.0.1, section 3.2
    if not has_fraction and "," not in integer_text and 1950 <= value <= 2030 \
            and not COUNT_NOUNS_AFTER_YEAR.match(after):
        return True                                       # years
    return False


def extract_numbers(source, notebook="<notebook>", cell=0):
    """All number claims of one markdown cell, as ``ProseNumber``s."""
    in_solution = bool(re.search(r"```+\s*\{solution\}", source))
    text = _strip_markdown(source)
    found = []
    # Inline math: only right-hand sides of relations; the formula is then removed.
    pieces, last = [], 0
    for formula in re.finditer(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$", text, flags=re.S):
        for written, value, tolerance in _math_claims(formula.group(1)):
            if abs(value) not in (0.0, 1.0):
                found.append(ProseNumber(notebook, cell, written, value, tolerance,
                                         _context(text, formula.start()), in_solution))
        pieces.append(text[last:formula.start()] + " ")
        last = formula.end()
    pieces.append(text[last:])
    prose = "".join(pieces)
    for match in NUMBER.finditer(prose):
        integer, fraction = match.group("int"), match.group("frac") or ""
        value = float(integer.replace(",", "") + fraction)
        if _skip(prose, match.start(), match.end(), value, integer, bool(fraction)):
            continue
        written, tolerance = integer + fraction, _decimals_tolerance(integer, fraction)
        after = prose[match.end():]
        percent = re.match(r"^\s?(%|percent\b)", after)
        if percent:
            written += percent.group(1) if percent.group(1) == "%" else " percent"
        found.append(ProseNumber(notebook, cell, written, value, tolerance,
                                 _context(prose, match.start()), in_solution))
    for match in QUANTITY_WORDS.finditer(prose):
        if match.group("fraction"):
            value = FRACTION_WORDS[match.group("fraction").lower()]
        elif match.group("twice"):
            value = 2.0
        else:
            count = WORD_VALUES[match.group("count").lower()]
            value = 10.0 ** count if "magnitude" in match.group("what").lower() else float(count)
        tolerance = 0.02 if match.group("fraction") else 0.1 * value   # "two thirds": 0.65..0.69
        found.append(ProseNumber(notebook, cell, match.group(0), value, tolerance,
                                 _context(prose, match.start()), in_solution))
    return found


# ---------------------------------------------------------------------------------------------
# What the code asserts
# ---------------------------------------------------------------------------------------------

@dataclass
class Asserted:
    literals: list     # numeric literals in assert cells
    brackets: list     # (low, high) of chained comparisons lo < expr < hi


def _without_regions(source, begin, end):
    return re.sub(re.escape(begin) + r".*?(" + re.escape(end) + r"|\Z)", "\n", source, flags=re.S)


def _numeric_literals(source):
    values = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [float(x.replace("_", "")) for x in re.findall(r"\b\d[\d_]*(?:\.\d+)?(?:e-?\d+)?\b", source)]
    for i, token in enumerate(tokens):
        if token.type != tokenize.NUMBER:
            continue
        try:
            value = float(token.string.replace("_", "").rstrip("jJ"))
        except ValueError:
            continue
        values.append(value)
        # simple fractions and powers written out: 5 / 7, 1 / 6, 10**3, 2**20
        if i + 2 < len(tokens) and tokens[i + 2].type == tokenize.NUMBER:
            other = float(tokens[i + 2].string.replace("_", "").rstrip("jJ"))
            if tokens[i + 1].string == "/" and other:
                values.append(value / other)
            elif tokens[i + 1].string == "**" and abs(other) < 400:
                values.append(value ** other)
    return values


def _brackets(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    brackets = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and len(node.ops) >= 2:
            operands = [node.left, *node.comparators]
            constants = [_constant(operand) for operand in operands]
            if constants[0] is not None and constants[-1] is not None:
                low, high = sorted((constants[0], constants[-1]))
                brackets.append((low, high))
    return brackets


def _constant(node):
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        try:
            value = eval(compile(ast.Expression(node), "<assert>", "eval"), {"__builtins__": {}}, {})
        except Exception:
            return None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def asserted_values(cells):
    """Literals of the assert cells: (for the running text, for solution prose)."""
    text, solution = Asserted([], []), Asserted([], [])
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", ""))
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if nbgrader.get("solution") or "### BEGIN SOLUTION" in source:
            continue
        hidden = re.findall(r"### BEGIN HIDDEN TESTS(.*?)(?:### END HIDDEN TESTS|\Z)", source, flags=re.S)
        visible = _without_regions(source, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
        for part, is_hidden in [(visible, False)] + [(h, True) for h in hidden]:
            if not re.search(r"\bassert\b", part):
                continue
            literals, brackets = _numeric_literals(part), _brackets(part)
            solution.literals += literals
            solution.brackets += brackets
            if not is_hidden and not nbgrader.get("grade"):
                text.literals += literals
                text.brackets += brackets
    return text, solution


def is_matched(number, asserted):
    targets = [(number.value, number.tolerance)]
    if number.text.endswith(("%", " percent")) or number.text.endswith("\\%"):
        targets.append((number.value / 100, number.tolerance / 100))
    for value, tolerance in targets:
        slack = tolerance * (1 + 1e-9) + 1e-300
        if any(abs(abs(literal) - abs(value)) <= slack for literal in asserted.literals):
            return True
        if any(low <= value <= high and high - low <= 4 * slack for low, high in asserted.brackets):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Notebooks, report and allow-list
# ---------------------------------------------------------------------------------------------

def notebook_paths():
    return sorted((ROOT / "chapters").glob("*/*.ipynb"))


def unmatched_numbers(path):
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = notebook["cells"]
    for_text, for_solutions = asserted_values(cells)
    name = Path(path).resolve().relative_to(ROOT).as_posix() if Path(path).resolve().is_relative_to(ROOT) \
        else str(path)
    missing = []
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "markdown":
            continue
        for number in extract_numbers("".join(cell.get("source", "")), name, index):
            asserted = for_solutions if number.in_solution else for_text
            if not is_matched(number, asserted):
                missing.append(number)
    return missing


def read_allowlist(path=ALLOWLIST):
    entries = {}
    if not path.exists():
        return entries
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split(SEPARATOR)
        if len(parts) != 4 or not parts[3].strip():
            raise ValueError(f"allow-list line needs 'notebook :: number :: context :: reason': {line!r}")
        entries[tuple(part.strip() for part in parts[:3])] = parts[3].strip()
    return entries


def _code_literals(path):
    """Numeric literals of the code a reader runs (not solution, hidden-test or grade cells)."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    return [value for cell in cells if cell.get("cell_type") == "code"
            and not cell.get("metadata", {}).get("nbgrader", {}).get("grade")
            and not cell.get("metadata", {}).get("nbgrader", {}).get("solution")
            and "### BEGIN SOLUTION" not in "".join(cell.get("source", ""))
            for value in _numeric_literals("".join(cell.get("source", "")))]


def _automatic_reason(number, literals):
    if any(abs(abs(v) - abs(number.value)) <= number.tolerance for v in literals):
        return "setting: written as a literal in a code cell (an input, not a result); TODO confirm"
    return "TODO audit: not asserted"


def update_allowlist():
    old = read_allowlist()
    header = [line for line in (ALLOWLIST.read_text(encoding="utf-8").splitlines() if ALLOWLIST.exists() else [])
              if line.startswith("#")] or [
        "# Numbers in the chapters' prose that no assert checks, each with the reason it may stay.",
        "# Format: notebook :: number as written :: up to five words before it :: reason",
        "# Regenerate candidates with: python tests/test_prose_numbers.py --update-allowlist",
    ]
    lines = list(header)
    for path in notebook_paths():
        literals = _code_literals(path)
        seen = set()
        for number in unmatched_numbers(path):
            if number.key in seen:
                continue
            seen.add(number.key)
            reason = old.get(number.key) or _automatic_reason(number, literals)
            lines.append(SEPARATOR.join((*number.key, reason)))
    ALLOWLIST.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - len(header)


def report():
    allowed = read_allowlist()
    out = []
    for path in notebook_paths():
        missing = unmatched_numbers(path)
        literals = _code_literals(path)
        out.append(f"== {path.relative_to(ROOT)}: {len(missing)} unmatched")
        for number in missing:
            status = "allow-listed" if number.key in allowed else "NOT ALLOWED"
            how = "in code, not asserted" if any(
                abs(abs(v) - abs(number.value)) <= number.tolerance for v in literals) else "nowhere in code"
            out.append(f"  cell {number.cell:3d}  {number.text:>14s}  [{how}; {status}]  ...{number.context}")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------

def _markdown(source):
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def _code(source, **nbgrader):
    metadata = {"nbgrader": nbgrader} if nbgrader else {}
    return {"cell_type": "code", "metadata": metadata, "source": source, "outputs": [], "execution_count": None}


def test_the_check_can_fail(tmp_path):
    """A synthetic notebook: asserted numbers pass, unasserted and loosely asserted ones do not."""
    cells = [
        _markdown("The loss drops by 84% and the norm is about 5. It keeps about two thirds of it.\n"
                  "The ratio is $\\lambda_1 \\approx 1.84$, and it stays between about 70% and 92%.\n"
                  "Chapter 4 (Pascanu et al. 2013) shows it; see `x = 17` and $$y = 123$$.\n"
                  "In TBPTT(4, 12) the first loss gets 1 step; about 7 to 9 percent differ."),
        _code("x = compute()\nassert abs(x - 1.84) < 0.005\nassert 0.69 < low < 0.71 and 0.91 < high < 0.93\n"
              "assert 0.03 < difference < 0.15"),
        _code("### BEGIN HIDDEN TESTS\nassert ratio == 84\n### END HIDDEN TESTS", grade=True, solution=False),
        _code("def f():\n    ### BEGIN SOLUTION\n    assert norm == 5\n    ### END SOLUTION", solution=True),
    ]
    path = tmp_path / "synthetic.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    missing = {number.text for number in unmatched_numbers(path)}
    assert missing == {"84%", "5", "two thirds", "7", "9 percent"}, missing


def test_extraction_skips_structure_and_reads_math():
    numbers = extract_numbers(
        "## Technique 2: a 30-step window\n\n1. First, see Chapter 6 and Fig. 3.\n"
        "| 1 | step one |\n| 2 | step two |\n"
        "The float64 value is $0.9^{100} \\approx 2.66 \\times 10^{-5}$, with $g(x) = 4\\sigma(x) - 2$, "
        "a 2,000-step stream, in 1997, about 16%, twice as many, $\\gamma = 1/4$, $8 N = 14{,}400$.\n\n"
        "    python run.py --lengths 10 30\n")
    written = sorted(number.text for number in numbers)
    assert written == sorted(["2.66 \\times 10^{-5}", "2,000", "16%", "twice", "1/4", "14{,}400"]), written
    values = {number.text: number.value for number in numbers}
    assert math.isclose(values["2.66 \\times 10^{-5}"], 2.66e-5) and values["1/4"] == 0.25


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.parent.name + "/" + p.name)
def test_every_prose_number_is_asserted_or_allow_listed(path):
    allowed = read_allowlist()
    missing = sorted({number.key: number for number in unmatched_numbers(path)}.values(),
                     key=lambda number: number.cell)
    not_allowed = [f"cell {n.cell}: {n.text!r} after '...{n.context}'" for n in missing if n.key not in allowed]
    assert not not_allowed, (
        "numbers in the prose that no assert checks; assert them (as precisely as the text states them), "
        "change the text, or add them to tests/prose_numbers_allowlist.txt with a reason:\n  "
        + "\n  ".join(not_allowed))


def test_allowlist_has_no_stale_entries():
    current = {number.key for path in notebook_paths() for number in unmatched_numbers(path)}
    stale = [SEPARATOR.join(key) for key in read_allowlist() if key not in current]
    assert not stale, "allow-list entries that match no unasserted number any more:\n  " + "\n  ".join(stale)


if __name__ == "__main__":
    if "--update-allowlist" in sys.argv:
        print(f"{update_allowlist()} entries written to {ALLOWLIST.relative_to(ROOT)}")
    else:
        print(report())
