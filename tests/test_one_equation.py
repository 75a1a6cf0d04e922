"""Each equation once (issue 19, item 2): the LSTM's gate equations are written in one module.

A module writes the LSTM step when its code (strings and docstrings left out) or a comment that
annotates a statement (the kernels name the equation each line computes) holds one of the step's
characteristic expressions: the cell update c = f * c_prev + i * g, the hidden state
h = o * tanh(c), a gate block of the pre-activation sliced by multiples of H (``z[:, 2 * H:3 * H]``,
``a[..., H:2 * H]``) or a sigmoid of a block of z. Prose (docstrings, a standalone comment, a
checker's feedback string) may quote the equations; only ``nn/_lstm_kernels.py`` may compute them.
"""
import io
import re
import tokenize
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "lstm_course"
HOME = "nn/_lstm_kernels.py"
EXPRESSIONS = {
    "the cell update c = f * c_prev + i * g": re.compile(r"\bf\s*\*\s*c(?:_prev)?\s*\+\s*i\s*\*\s*g\b"),
    "the hidden state h = o * tanh(c)": re.compile(r"\bh\s*=\s*o\s*\*\s*(?:np\.)?tanh\(\s*c\s*\)"),
    "a gate block sliced by multiples of H":
        re.compile(r"\b\w+\s*\*\s*H\s*:\s*(?:\d+|\(\s*\w+\s*\+\s*1\s*\))\s*\*\s*H\b|\bH\s*:\s*2\s*\*\s*H\b"),
    "a sigmoid of a block of z": re.compile(r"sigmoid\(\s*z\s*\["),
}


def code_and_annotations(source):
    """The source with every string (docstrings included) and every standalone comment blanked out."""
    kept, code_on_line = [], set()
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for token in tokens:
        if token.type not in (tokenize.COMMENT, tokenize.STRING, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                              tokenize.DEDENT, tokenize.ENDMARKER):
            code_on_line.add(token.start[0])
    for token in tokens:
        if token.type == tokenize.STRING:
            continue
        if token.type == tokenize.COMMENT and token.start[0] not in code_on_line:
            continue
        kept.append((token.start[0], token.string))
    lines = {}
    for line, text in kept:
        lines.setdefault(line, []).append(text)
    return "\n".join(" ".join(parts) for _, parts in sorted(lines.items()))


def lstm_step_writers(package=PACKAGE):
    """{module path: [what it writes]} for every module under ``package`` that writes the LSTM step."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        text = code_and_annotations(path.read_text(encoding="utf-8"))
        hits = [name for name, pattern in EXPRESSIONS.items() if pattern.search(text)]
        if hits:
            found[path.relative_to(package).as_posix()] = hits
    return found


def test_the_lstm_gate_equations_are_written_in_one_module():
    writers = lstm_step_writers()
    assert set(writers) == {HOME}, f"the LSTM step is written outside {HOME}: {writers}"
    assert writers[HOME] == list(EXPRESSIONS)[:2], writers   # the kernels annotate both updates


def test_the_check_finds_a_second_copy_of_the_step(tmp_path):
    """A copy of the kernels module and the ensemble's former forward step are both caught."""
    (tmp_path / "nn").mkdir()
    (tmp_path / "models").mkdir()
    (tmp_path / HOME).write_text((PACKAGE / HOME).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "nn" / "copy.py").write_text("def step(i, f, g, c_prev):\n    return f * c_prev + i * g\n")
    (tmp_path / "models" / "ensemble.py").write_text(
        "def step(a, c, H):\n    return a[..., H:2 * H] * c + a[..., :H] * a[..., 2 * H:3 * H]\n")
    (tmp_path / "models" / "prose.py").write_text(
        '"""c = f * c_prev + i * g, h = o * tanh(c)."""\n# c = f * c_prev + i * g\n'
        'HINT = "did you multiply by the forget gate? c = f * c_prev + i * g"\n')
    writers = lstm_step_writers(tmp_path)
    assert set(writers) == {HOME, "nn/copy.py", "models/ensemble.py"}, writers
    assert writers["nn/copy.py"] == ["the cell update c = f * c_prev + i * g"]
    assert writers["models/ensemble.py"] == ["a gate block sliced by multiples of H"]
