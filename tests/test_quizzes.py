"""The self-check quizzes ({quiz}, _ext/quiz.py): enough of them, right answers, and working in the page.

From the notebooks: every chapter asks at least three questions, multiple choice and numeric, and
every answer, right or wrong, has its feedback; the answers that the package can compute are
recomputed here from it. In the built book (``BOOK_HTML``, as for tests/test_browser.py), with
every request not to 127.0.0.1 blocked: each question is answered wrong in every way it offers and
right, and the page shows the feedback of the answer given; the math in the quizzes is typeset by
the page's own MathJax. The student edition keeps the quizzes.
"""
import json
import math
import re
from pathlib import Path

import numpy as np
import yaml
from _book import built_html
from test_browser import open_page

from lstm_course.data import chunking
from lstm_course.lab import gated_unit, unrolling
from lstm_course.models import mlp
from lstm_course.train.tbptt import schedule

ROOT = Path(__file__).resolve().parents[1]
QUIZ = re.compile(r"^```\{quiz\}\n(.*?)^```", re.S | re.M)
CHAPTER_PAGES = sorted(path for path in (ROOT / "chapters").glob("*/*.ipynb") if path.name != "exercises.ipynb")


def quizzes(path):
    """The YAML bodies of the {quiz} blocks of one notebook, in order."""
    cells = json.loads(path.read_text(encoding="utf8"))["cells"]
    text = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    return [yaml.safe_load(body) for body in QUIZ.findall(text)]


def by_chapter():
    chapters = {}
    for path in CHAPTER_PAGES:
        chapters.setdefault(path.parent.name, []).extend(quizzes(path))
    return chapters


def find(chapter, words):
    matches = [quiz for quiz in by_chapter()[chapter] if words in quiz["question"]]
    assert len(matches) == 1, f"{chapter}: {len(matches)} questions contain {words!r}"
    return matches[0]


def right_choice(quiz):
    return next(choice["text"] for choice in quiz["choices"] if choice.get("correct"))


def test_every_chapter_asks_at_least_three_questions_of_both_kinds():
    chapters = by_chapter()
    assert len(chapters) == 9, sorted(chapters)
    for chapter, asked in chapters.items():
        kinds = {"choice" if "choices" in quiz else "number" for quiz in asked}
        assert len(asked) >= 3 and kinds == {"choice", "number"}, (chapter, len(asked), kinds)


def test_every_answer_has_feedback_and_every_wrong_number_is_not_the_answer():
    for chapter, asked in by_chapter().items():
        for quiz in asked:
            where = f"{chapter}: {quiz['question'][:50]}"
            if "choices" in quiz:
                assert sum(bool(choice.get("correct")) for choice in quiz["choices"]) == 1, where
                assert len(quiz["choices"]) >= 3, where
                assert all(len(choice["feedback"].split()) >= 6 for choice in quiz["choices"]), where
            else:
                assert quiz["mistakes"] and quiz["otherwise"] and quiz["feedback"], where
                slack = quiz.get("tolerance", 0)
                for mistake in quiz["mistakes"]:
                    low, high = mistake["range"] if "range" in mistake else (mistake["value"],) * 2
                    assert not low - slack <= quiz["answer"] <= high + slack, where
                    assert len(mistake["feedback"].split()) >= 6, where


def test_the_numeric_answers_are_what_the_package_computes():
    params = mlp.mlp_init((2, 8, 1), rng=0)
    passes = find("01_backpropagation", "2-8-1 network")
    assert passes["answer"] == 2 * sum(value.size for value in params.values())
    memory = find("02_unrolling", "How many more bytes")
    assert memory["answer"] == np.diff(unrolling.measure_activation_memory([50, 100], "rnn", 8, 1, 32, rng=0))[0]
    below = find("04_vanishing_gradients", "below 1% of its starting value")
    assert below["answer"] == next(k for k in range(1, 1000) if 0.95 ** k < 0.01)
    kept = find("05_cec_and_gates", "$z_f = 3$")
    assert abs(kept["answer"] - gated_unit.retention(3.0, 20)) <= kept["tolerance"]
    steps = find("06_tbptt_configurations", "TBPTT(2, 6)")
    assert steps["answer"] == schedule.cost_summary(12, 2, 6).total_backward_steps
    assert 78 in [mistake.get("value") for mistake in steps["mistakes"]]
    assert schedule.cost_summary(12, 1, 12).total_backward_steps == 78
    dropped = find("06_tbptt_configurations", "TBPTT(6, 3)")
    assert dropped["answer"] == schedule.cost_summary(12, 6, 3).dropped_losses
    start = find("07_preparing_sequences", "batch 7, slot 3")
    sequence, chunk = (index.reshape(100, 100)[7, 3] for index in chunking.stateful_sample_index(100, 100, 100))
    assert sequence == 3 and start["answer"] == 500 * chunk
    bits = find("08_char_language_model", "probability $1/8$")
    assert bits["answer"] == -math.log2(1 / 8)
    draws = find("09_beyond_truncation", "10,000 draws")
    assert draws["answer"] == math.sqrt(10_000 / 100)


def test_the_schedule_question_has_the_schedule_the_package_computes():
    question = find("06_tbptt_configurations", "update at $t = 12$")
    (t, window_start, first_loss), = [update for update in schedule.tbptt_schedule(16, 4, 6) if update[0] == 12]
    # "$\\ell_9, \\dots, \\ell_{12}$, back to step 7": the first and last loss injected, the window start
    assert re.findall(r"\d+", right_choice(question)) == [str(first_loss), str(t), str(window_start)]


# --- In the built page -------------------------------------------------------------------------

def visible_feedback(quiz):
    return quiz.locator(".quiz-feedback:visible")


def answer_number(quiz, value):
    quiz.locator("input.quiz-input").fill(value)
    quiz.locator("button.quiz-check").click()


def check_choice_quiz(quiz, where):
    options = quiz.locator("button.quiz-option")
    assert options.count() >= 3, where
    for index in range(options.count()):
        option = options.nth(index)
        option.click()
        shown = visible_feedback(quiz)
        assert shown.count() == 1, f"{where}: choice {index} shows {shown.count()} feedbacks"
        right = option.get_attribute("data-correct") == "true"
        assert shown.get_attribute("data-index") == str(index), where
        text = shown.inner_text()
        assert text.startswith("✓ Right." if right else "✗ Not quite."), f"{where}: {text[:60]}"
        assert len(text.split()) > 6, f"{where}: choice {index} has no explanation"
        assert ("quiz-right" if right else "quiz-wrong") in quiz.get_attribute("class"), where


def check_number_quiz(quiz, where):
    answer, tolerance = float(quiz.get_attribute("data-answer")), float(quiz.get_attribute("data-tolerance"))
    mistakes = quiz.locator('.quiz-feedback[data-match="mistake"]')
    attempts = []
    for index in range(mistakes.count()):
        low, high = (float(mistakes.nth(index).get_attribute(name)) for name in ("data-low", "data-high"))
        attempts.append((f"{(low + high) / 2:g}", mistakes.nth(index)))
    far = answer + 1000 * (abs(answer) + tolerance + 1)
    attempts.append((f"{far:g}", quiz.locator('.quiz-feedback[data-match="otherwise"]')))
    attempts.append((f"{answer:g}", quiz.locator('.quiz-feedback[data-match="right"]')))
    for typed, expected in attempts:
        answer_number(quiz, typed)
        shown = visible_feedback(quiz)
        assert shown.count() == 1, f"{where}: {typed} shows {shown.count()} feedbacks"
        assert shown.evaluate("(node, other) => node === other", expected.element_handle()), f"{where}: {typed}"
        right = expected.get_attribute("data-match") == "right"
        assert shown.inner_text().startswith("✓ Right." if right else "✗ Not quite."), f"{where}: {typed}"
    answer_number(quiz, "about six")
    assert visible_feedback(quiz).count() == 0 and quiz.locator(".quiz-invalid").is_visible(), where


def test_every_quiz_answers_right_and_wrong_in_the_page_offline(browser, book):
    html, base = book
    expected = {path.relative_to(ROOT).with_suffix(".html").as_posix(): len(quizzes(path)) for path in CHAPTER_PAGES}
    answered = 0
    for name, count in expected.items():
        if not count:
            continue
        page, context, problems = open_page(browser, f"{base}/{name}")
        boxes = page.locator(".quiz")
        assert boxes.count() == count, f"{name}: {boxes.count()} quizzes in the page, {count} in the notebook"
        raw = page.evaluate("""() => [...document.querySelectorAll('.quiz .math')]
                                 .filter(el => !el.querySelector('mjx-container')).length""")
        assert raw == 0, f"{name}: {raw} formulas in the quizzes are not typeset"
        for index in range(count):
            quiz = boxes.nth(index)
            quiz.scroll_into_view_if_needed()
            where = f"{name}, quiz {index + 1}"
            if quiz.get_attribute("data-kind") == "choice":
                check_choice_quiz(quiz, where)
            else:
                check_number_quiz(quiz, where)
            answered += 1
        assert not problems["console"] and not problems["blocked"] and not problems["failed"], (name, problems)
        context.close()
    print(f"{answered} quizzes answered right and wrong")
    assert answered >= 27


def test_the_student_edition_keeps_the_quizzes():
    html = built_html("student")
    for path in CHAPTER_PAGES:
        page = html / path.relative_to(ROOT).with_suffix(".html")
        assert page.read_text(encoding="utf8").count('class="quiz ') == len(quizzes(path)), page
