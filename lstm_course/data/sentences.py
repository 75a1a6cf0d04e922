"""One sample per sentence: a sentence splitter and padded token ids (Chapter 7, technique 3 for text)."""
import re
from typing import NamedTuple

import numpy as np

from lstm_course.data.masking import pad_and_mask


def split_sentences(text):
    """Split text after '.', '!' or '?' followed by white space; returns non-empty sentences."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a non-empty string")
    return [sentence.strip() for sentence in re.split(r"(?<=[.!?])\s+", text.strip()) if sentence.strip()]


class SentenceSamples(NamedTuple):
    """Padded token ids of one sentence per row."""

    ids: np.ndarray
    mask: np.ndarray
    vocabulary: list
    sentences: list


def sentence_samples(text, level="word", length=None):
    """Technique 3 for text: one sample per sentence, token ids padded to a common length.

    Tokens are lower-cased words (punctuation dropped) or characters. Id 0 is
    reserved for padding, so real tokens get ids 1..V in order of first use.

    Parameters
    ----------
    text : str
    level : {"word", "char"}
    length : int, optional
        Padded length; the longest sentence's if omitted.

    Returns
    -------
    SentenceSamples
        ``ids (n_sentences, L)`` (float, as :func:`lstm_course.data.masking.pad_and_mask` returns),
        ``mask (n_sentences, L)``, ``vocabulary`` (token of id k at index k - 1)
        and the sentences.
    """
    if level not in ("word", "char"):
        raise ValueError(f"level must be 'word' or 'char', got {level!r}")
    sentences = split_sentences(text)
    tokenised = [re.findall(r"[a-z']+", s.lower()) if level == "word" else list(s) for s in sentences]
    vocabulary = list(dict.fromkeys(token for tokens in tokenised for token in tokens))
    index = {token: k + 1 for k, token in enumerate(vocabulary)}
    X, mask = pad_and_mask([[index[token] for token in tokens] for tokens in tokenised], length)
    return SentenceSamples(X[..., 0], mask, vocabulary, sentences)
