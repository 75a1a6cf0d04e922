"""Sphinx extension: ``{quiz}``, a self-check question answered in the static HTML page.

A chapter notebook asks one question per directive, in a markdown cell; the body is YAML
whose texts are MyST (math, roles, links), parsed like the rest of the page, so the page's
own MathJax typesets them when it loads. A multiple-choice question::

    ```{quiz}
    question: Which losses does the update at $t = 12$ inject for TBPTT(4, 6)?
    choices:
      - text: $\\ell_9, \\dots, \\ell_{12}$
        feedback: Those are the last $k_1 = 4$ losses; ...
      - text: $\\ell_{11}$ and $\\ell_{12}$
        correct: true
        feedback: ...
    ```

and a numeric one (``answer`` within ``tolerance``; ``mistakes`` name the expected wrong
answers, each a ``value`` or a ``range: [low, high]``; ``otherwise`` answers the rest)::

    ```{quiz}
    question: How many backward steps ...?
    answer: 30
    feedback: ...
    mistakes:
      - value: 78
        feedback: ...
    otherwise: ...
    ```

Every answer has its feedback, right or wrong, and the build fails on a question without
one. The HTML holds the question, the answers and every feedback (hidden); ``quiz.js``,
served from ``_static/`` (``_ext/static/`` is added to ``html_static_path``), shows
the feedback of the answer given. Nothing needs a kernel or the network. Other builders
(LaTeX) print the question and its choices, without the feedback.
"""
import math
from pathlib import Path

import yaml
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

STATIC = Path(__file__).resolve().parent / "static"
RIGHT, WRONG = "✓ Right.", "✗ Not quite."


class quiz_part(nodes.General, nodes.Element):
    """One element of a quiz: ``node["tag"]`` with ``node["html_attributes"]`` in HTML; ``node["part"]`` names it."""


def _part(part, tag="div", classes=(), **attributes):
    name = "quiz" if part == "quiz" else f"quiz-{part}"
    return quiz_part(part=part, tag=tag, html_attributes=attributes, classes=[name, *classes])


def _number(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{what} must be a number, got {value!r}")
    return float(value)


def _text(entry, key, what):
    value = entry.get(key) if isinstance(entry, dict) else None
    if not isinstance(value, (str, int, float)) or not str(value).strip():
        raise ValueError(f"{what} needs a non-empty '{key}'")
    return str(value)


class QuizDirective(SphinxDirective):
    """``{quiz}``: a multiple-choice (``choices``) or numeric (``answer``) question; see the module docstring."""

    has_content = True

    def run(self):
        try:
            spec = yaml.safe_load("\n".join(self.content))
            if not isinstance(spec, dict):
                raise ValueError("the body must be a YAML mapping with 'question' and 'choices' or 'answer'")
            unknown = set(spec) - {"question", "choices", "answer", "tolerance", "feedback", "mistakes", "otherwise"}
            if unknown:
                raise ValueError(f"unknown keys {sorted(unknown)}")
            if ("choices" in spec) == ("answer" in spec):
                raise ValueError("give either 'choices' (multiple choice) or 'answer' (a number)")
            quiz = self._choice(spec) if "choices" in spec else self._numeric(spec)
        except (yaml.YAMLError, ValueError) as error:
            raise self.error(f"quiz: {error}") from None
        serial = self.env.new_serialno("quiz") + 1
        quiz["ids"] = [f"quiz-{serial}"]
        label = _part("label", tag="p")
        label += nodes.strong(text=f"Check yourself {serial}")
        quiz.insert(0, label)
        return [quiz]

    def _markup(self, text, part, inline=False, tag=None, **attributes):
        """``text`` parsed as MyST into a quiz part; ``inline`` drops the paragraph around a single one."""
        container = nodes.container()
        self.state.nested_parse(StringList(str(text).splitlines(), source=self.get_source_info()[0]),
                                self.content_offset, container)
        target = _part(part, tag=tag or ("span" if inline else "div"), **attributes)
        children = container.children
        if inline and len(children) == 1 and isinstance(children[0], nodes.paragraph):
            children = children[0].children
        target.extend(children)
        return target

    def _feedback(self, text, right, **attributes):
        feedback = self._markup(text, "feedback", hidden="hidden", **attributes)
        verdict = nodes.strong(text=RIGHT if right else WRONG, classes=["quiz-verdict"])
        first = feedback.children[0] if feedback.children else None
        if isinstance(first, nodes.paragraph):
            first.insert(0, nodes.Text(" "))
            first.insert(0, verdict)
        else:
            feedback.insert(0, nodes.paragraph("", "", verdict))
        return feedback

    def _choice(self, spec):
        choices = spec["choices"]
        if not isinstance(choices, list) or len(choices) < 2:
            raise ValueError("'choices' must list at least two answers")
        if not any(isinstance(choice, dict) and choice.get("correct") is True for choice in choices):
            raise ValueError("no choice is marked 'correct: true'")
        quiz = _part("quiz", classes=["quiz-choice"], **{"data-kind": "choice"})
        quiz += self._markup(_text(spec, "question", "a quiz"), "question")
        buttons, feedbacks = _part("choices", role="group"), _part("feedbacks", **{"aria-live": "polite"})
        for index, choice in enumerate(choices):
            what = f"choice {index + 1}"
            unknown = set(choice) - {"text", "correct", "feedback"} if isinstance(choice, dict) else set()
            if unknown:
                raise ValueError(f"{what}: unknown keys {sorted(unknown)}")
            correct = choice.get("correct", False) is True
            flag = {"data-index": str(index), "data-correct": "true" if correct else "false"}
            buttons += self._markup(_text(choice, "text", what), "option", inline=True, tag="button",
                                    type="button", **flag)
            feedbacks += self._feedback(_text(choice, "feedback", what), correct, **flag)
        quiz += buttons
        quiz += feedbacks
        return quiz

    def _numeric(self, spec):
        answer = _number(spec["answer"], "'answer'")
        tolerance = _number(spec.get("tolerance", 0), "'tolerance'")
        quiz = _part("quiz", classes=["quiz-number"], **{"data-kind": "number", "data-answer": repr(answer),
                                                         "data-tolerance": repr(tolerance)})
        quiz += self._markup(_text(spec, "question", "a quiz"), "question")
        quiz += _part("form", tag="form")
        feedbacks = _part("feedbacks", **{"aria-live": "polite"})
        feedbacks += self._feedback(_text(spec, "feedback", "a numeric quiz"), True, **{"data-match": "right"})
        for index, mistake in enumerate(spec.get("mistakes") or []):
            what = f"mistake {index + 1}"
            if not isinstance(mistake, dict) or ("value" in mistake) == ("range" in mistake):
                raise ValueError(f"{what} needs either 'value' or 'range: [low, high]'")
            if "value" in mistake:
                low = high = _number(mistake["value"], f"{what}: 'value'")
            else:
                bounds = mistake["range"]
                if not isinstance(bounds, list) or len(bounds) != 2:
                    raise ValueError(f"{what}: 'range' must be [low, high]")
                low, high = (_number(bound, f"{what}: 'range'") for bound in bounds)
            if low - tolerance <= answer <= high + tolerance:
                raise ValueError(f"{what} includes the answer {answer:g}")
            feedbacks += self._feedback(_text(mistake, "feedback", what), False, **{
                "data-match": "mistake", "data-low": repr(low), "data-high": repr(high)})
        feedbacks += self._feedback(_text(spec, "otherwise", "a numeric quiz"), False, **{"data-match": "otherwise"})
        quiz += feedbacks
        return quiz


def visit_quiz_html(self, node):
    attributes = dict(node["html_attributes"])
    if node["part"] == "form":       # filled in by hand: a text field and a button, no markup in the source
        self.body.append(self.starttag(node, "form", **attributes)
                         + '<label>Your answer <input type="text" class="quiz-input" inputmode="decimal" '
                           'autocomplete="off"></label> <button type="submit" class="quiz-check">Check</button>')
        return
    self.body.append(self.starttag(node, node["tag"], "", **attributes))


def depart_quiz_html(self, node):
    self.body.append(f"</{node['tag']}>")
    if node["tag"] == "div":
        self.body.append("\n")


def visit_quiz_latex(self, node):
    part = node["part"]
    if part in ("feedbacks", "form", "label"):
        raise nodes.SkipNode
    if part == "choices":
        self.body.append("\n\\begin{itemize}\n")
    elif part == "option":
        self.body.append("\\item ")
    elif part == "quiz":
        self.body.append("\n\\par\\medskip\\noindent\\textbf{Check yourself.} ")


def depart_quiz_latex(self, node):
    part = node["part"]
    if part == "choices":
        self.body.append("\\end{itemize}\n")
    elif part == "option":
        self.body.append("\n")
    elif part == "quiz" and "quiz-number" in node["classes"]:
        self.body.append("\n\\par\\noindent Answer: \\rule{4cm}{0.4pt}\\par\\medskip\n")


def visit_quiz_other(self, node):
    if node["part"] in ("feedbacks", "form"):
        raise nodes.SkipNode


def depart_quiz_other(self, node):
    pass


def _serve_static(app, config):
    # Sphinx copies html_static_path into _static/ for HTML builders only.
    if str(STATIC) not in map(str, config.html_static_path):
        config.html_static_path.append(str(STATIC))


def setup(app):
    other = (visit_quiz_other, depart_quiz_other)
    app.add_node(quiz_part, html=(visit_quiz_html, depart_quiz_html), latex=(visit_quiz_latex, depart_quiz_latex),
                 text=other, man=other, texinfo=other)
    app.add_directive("quiz", QuizDirective)
    app.add_css_file("quiz.css")
    app.add_js_file("quiz.js", defer="defer")
    app.connect("config-inited", _serve_static)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
