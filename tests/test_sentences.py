import numpy as np
import pytest

from lstm_course.data import sentences

PARAGRAPH = ("The tide went out at dawn. Two boys searched the rocks for crabs! Did they find any? "
             "One small crab, green and angry, pinched a thumb. They let it go.")


def test_split_sentences_keeps_the_end_marks():
    assert sentences.split_sentences("Yes. No!  Maybe?") == ["Yes.", "No!", "Maybe?"]
    with pytest.raises(ValueError, match="non-empty string"):
        sentences.split_sentences("   ")


def test_sentence_samples_pad_each_sentence():
    samples = sentences.sentence_samples(PARAGRAPH)
    assert len(samples.sentences) == samples.ids.shape[0] == 5
    words = [len(s.split()) for s in samples.sentences]
    np.testing.assert_array_equal(samples.mask.sum(axis=1), words)
    assert np.all(samples.ids[samples.mask == 0] == 0) and np.all(samples.ids[samples.mask == 1] >= 1)
    chars = sentences.sentence_samples(PARAGRAPH, level="char")
    np.testing.assert_array_equal(chars.mask.sum(axis=1), [len(s) for s in chars.sentences])
    with pytest.raises(ValueError, match="level"):
        sentences.sentence_samples(PARAGRAPH, level="byte")
