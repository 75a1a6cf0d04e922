// Self-check questions of the book ({quiz} directive, _ext/quiz.py), answered in the page.
// Every answer's feedback is already in the page (hidden, typeset by the page's MathJax);
// this script only shows the one that belongs to the answer given. No kernel, no network.
(function () {
  "use strict";

  function show(quiz, feedback, right) {
    quiz.querySelectorAll(".quiz-feedback").forEach(function (item) { item.hidden = item !== feedback; });
    quiz.classList.toggle("quiz-right", right);
    quiz.classList.toggle("quiz-wrong", !right);
  }

  function setUpChoice(quiz) {
    quiz.querySelectorAll("button.quiz-option").forEach(function (button) {
      button.addEventListener("click", function () {
        var index = button.dataset.index;
        var right = button.dataset.correct === "true";
        quiz.querySelectorAll("button.quiz-option").forEach(function (other) {
          other.classList.remove("quiz-picked", "quiz-picked-right", "quiz-picked-wrong");
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
        button.classList.add("quiz-picked", right ? "quiz-picked-right" : "quiz-picked-wrong");
        show(quiz, quiz.querySelector('.quiz-feedback[data-index="' + index + '"]'), right);
      });
    });
  }

  // "1,000", "1 000", "0,25" and "2.5e-3" are numbers; anything else is not.
  function parseNumber(text) {
    var cleaned = text.trim().replace(/[\s_\u2009\u202f]/g, "").replace(/^\u2212/, "-");
    if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(cleaned)) { cleaned = cleaned.replace(/,/g, ""); }
    else if (/^-?\d+,\d+$/.test(cleaned)) { cleaned = cleaned.replace(",", "."); }
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(cleaned)) { return null; }
    return parseFloat(cleaned);
  }

  function setUpNumber(quiz) {
    var form = quiz.querySelector("form.quiz-form");
    var input = form.querySelector("input.quiz-input");
    var answer = parseFloat(quiz.dataset.answer), tolerance = parseFloat(quiz.dataset.tolerance);
    var message = document.createElement("p");
    message.className = "quiz-invalid";
    message.hidden = true;
    message.textContent = "Type a number, such as 12, 0.25 or 2.5e-3.";
    form.appendChild(message);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var value = parseNumber(input.value);
      message.hidden = value !== null;
      if (value === null) {
        show(quiz, null, false);
        quiz.classList.remove("quiz-wrong");
        return;
      }
      var slack = tolerance + 1e-9 * Math.max(1, Math.abs(answer));
      if (Math.abs(value - answer) <= slack) {
        show(quiz, quiz.querySelector('.quiz-feedback[data-match="right"]'), true);
        return;
      }
      var mistakes = quiz.querySelectorAll('.quiz-feedback[data-match="mistake"]');
      for (var k = 0; k < mistakes.length; k++) {
        var low = parseFloat(mistakes[k].dataset.low), high = parseFloat(mistakes[k].dataset.high);
        var near = 1e-9 * Math.max(1, Math.abs(low), Math.abs(high));
        if (value >= low - near && value <= high + near) { show(quiz, mistakes[k], false); return; }
      }
      show(quiz, quiz.querySelector('.quiz-feedback[data-match="otherwise"]'), false);
    });
  }

  function setUp() {
    document.querySelectorAll(".quiz").forEach(function (quiz) {
      if (quiz.dataset.ready) { return; }
      quiz.dataset.ready = "1";
      if (quiz.dataset.kind === "choice") { setUpChoice(quiz); } else { setUpNumber(quiz); }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setUp); }
  else { setUp(); }
})();
