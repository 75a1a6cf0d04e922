"""Character n-gram baselines: hand-worked probabilities, sum to one everywhere, one scoring for all."""
import itertools
import time
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_course.data import corpus
from lstm_course.models import ngram

# The tiny corpus "abaab" (a = 0, b = 1, c = 2), counted by hand:
#   unigrams a 3, b 2, c 0 (5 in all); bigrams ab 2, aa 1, ba 1 (contexts: a followed 3 times, b once);
#   trigrams aba, baa, aab (one each).
TINY, V3 = [0, 1, 0, 0, 1], 3


def probabilities(model, context):
    return ngram.next_character_probabilities(model, np.array(context, dtype=np.int64))


def assert_fractions(actual, expected):
    assert np.allclose(actual, [float(Fraction(x)) for x in expected], rtol=0, atol=1e-15)


def test_add_alpha_by_hand():
    # add-1 unigram: (3 + 1) / (5 + 3), (2 + 1) / 8, (0 + 1) / 8
    assert_fractions(probabilities(ngram.fit_unigram(TINY, V3, alpha=1.0), []), ["4/8", "3/8", "1/8"])
    bigram = ngram.fit_bigram(TINY, V3, alpha=0.5)
    # after a: (1 + .5) / (3 + 1.5), (2 + .5) / 4.5, (0 + .5) / 4.5; after b: (1 + .5) / (1 + 1.5), .5 / 2.5, .5 / 2.5
    assert_fractions(probabilities(bigram, [0]), ["1/3", "5/9", "1/9"])
    assert_fractions(probabilities(bigram, [1]), ["3/5", "1/5", "1/5"])
    assert_fractions(probabilities(bigram, [2]), ["1/3", "1/3", "1/3"])  # c never seen as a context: 0.5 / 1.5
    # an empty context backs off to the add-0.5 unigram: (3.5, 2.5, 0.5) / 6.5
    assert_fractions(probabilities(bigram, []), ["7/13", "5/13", "1/13"])


def test_kneser_ney_by_hand():
    # Order 1 of a bigram model counts distinct left neighbours: a follows b and a (2), b follows a (1), c none;
    # 3 in all, 2 characters seen. With D = 1/2: p1 = (max(N - 1/2, 0) + (1/2) 2 (1/3)) / 3
    #   = (1.5 + 1/3) / 3, (0.5 + 1/3) / 3, (1/3) / 3 = 11/18, 5/18, 2/18.
    plain = ngram.fit_kneser_ney(TINY, V3, 2, discount=0.5)
    assert_fractions(probabilities(plain, [2]), ["11/18", "5/18", "2/18"])  # unseen context: p1 itself
    # After a (ab 2, aa 1; 3 in all, 2 kinds): ((1 - .5) + 1 p1(a)) / 3, ((2 - .5) + 1 p1(b)) / 3, p1(c) / 3
    assert_fractions(probabilities(plain, [0]), ["10/27", "16/27", "1/27"])
    # After b (ba 1): (1 - .5) + .5 p1(a), .5 p1(b), .5 p1(c)
    assert_fractions(probabilities(plain, [1]), ["29/36", "5/36", "2/36"])
    # Modified, order-2 discounts D1 = .4 (aa, counted once), D2 = .8 (ab, twice): gamma(a) = (.4 + .8) / 3 = .4
    #   a: (1 - .4) / 3 + .4 (11/18) = 4/9, b: (2 - .8) / 3 + .4 (5/18) = 23/45, c: .4 (2/18) = 2/45
    modified = ngram.fit_kneser_ney(TINY, V3, 2, discount=[[0.5, 0.5, 0.5], [0.4, 0.8, 1.0]])
    assert_fractions(probabilities(modified, [0]), ["20/45", "23/45", "2/45"])
    # Order 3 with a one-character context (a stream's first target) uses order 2's continuation counts:
    # ab and aa have one left neighbour each (aab, baa; the first ab has none), so after a:
    #   b: (1 - .5) / 2 + (.5 * 2 / 2) p1(b) = 1/4 + 5/36 = 7/18
    trigram = ngram.fit_kneser_ney(TINY, V3, 3, discount=0.5)
    assert probabilities(trigram, [0])[1] == pytest.approx(7 / 18, abs=1e-15)
    assert ngram.target_probabilities(trigram, [0, 1])[0] == pytest.approx(7 / 18, abs=1e-15)


def test_witten_bell_by_hand():
    # p1 = (c(w) + 2 (1/3)) / (5 + 2) = 11/21, 8/21, 2/21; after a (3 followers, 2 kinds): (c(aw) + 2 p1) / 5
    model = ngram.fit_witten_bell(TINY, V3, 2)
    assert_fractions(probabilities(model, [2]), ["11/21", "8/21", "2/21"])
    assert_fractions(probabilities(model, [0]), ["43/105", "58/105", "4/105"])
    assert_fractions(probabilities(model, [1]), ["16/21", "4/21", "1/21"])  # (1 + 11/21) / 2, ...


def test_stream_bpc_counts_every_character_after_the_first():
    # "cab" scored by the plain KN bigram above: a after c (unseen context) 11/18, b after a 16/27
    model = ngram.fit_kneser_ney(TINY, V3, 2, discount=0.5)
    expected = -(np.log2(11 / 18) + np.log2(16 / 27)) / 2
    assert ngram.stream_bpc(model, [2, 0, 1]) == pytest.approx(expected, rel=1e-14)


def de_bruijn(V, n):
    """A cycle of V**n symbols in which every length-n word over 0..V-1 occurs exactly once."""
    word, sequence = [0] * V * n, []

    def extend(t, p):
        if t > n:
            if n % p == 0:
                sequence.extend(word[1:p + 1])
            return
        word[t] = word[t - p]
        extend(t + 1, p)
        for symbol in range(word[t - p] + 1, V):
            word[t] = symbol
            extend(t + 1, t)

    extend(1, 1)
    return sequence


def balanced_stream(V, n, repeats=3):
    """The de Bruijn cycle ``repeats`` times, closed: every n-gram occurs ``repeats`` times, every context
    is followed by every character equally often and every shorter gram has all V left neighbours."""
    cycle = de_bruijn(V, n)
    return np.array(cycle * repeats + cycle[:n - 1])


def test_bpc_is_identical_for_every_model_when_each_is_uniform():
    V = 3
    models = [ngram.fit_unigram(balanced_stream(V, 1), V), ngram.fit_bigram(balanced_stream(V, 2), V),
              ngram.fit_witten_bell(balanced_stream(V, 1), V, 1)]
    models += [ngram.fit_kneser_ney(balanced_stream(V, n), V, n, discount) for n in (1, 2, 3, 4)
               for discount in (None, 0.5)]
    stream = np.random.default_rng(0).integers(0, V, size=40)
    for model in models:
        assert np.allclose(ngram.target_probabilities(model, stream), 1 / V, rtol=0, atol=1e-15)
        assert ngram.stream_bpc(model, stream) == pytest.approx(np.log2(V), rel=1e-14)


def all_models(codes, V, order):
    return [ngram.fit_additive(codes, V, order, 0.3), ngram.fit_kneser_ney(codes, V, order),
            ngram.fit_kneser_ney(codes, V, order, 0.7), ngram.fit_witten_bell(codes, V, order)]


def test_probabilities_sum_to_one_in_every_context_of_every_order():
    V = 3
    codes = np.random.default_rng(1).choice(V, size=300, p=[0.6, 0.3, 0.1])
    codes[-40:] = 0  # long runs: contexts seen only at the end, and 2 followed by 2 never
    for order in range(1, 7):
        for model in all_models(codes, V, order):
            for length in range(order):  # every context the model can read, seen or unseen, and shorter ones
                for context in itertools.product(range(V), repeat=length):
                    p = probabilities(model, list(context))
                    assert p.min() > 0 and p.sum() == pytest.approx(1.0, abs=1e-12), (model.kind, order, context)


@settings(deadline=None, max_examples=60)
@given(data=st.data(), V=st.integers(1, 6), order=st.integers(1, 7), T=st.integers(1, 80))
def test_property_sum_to_one_and_scores_are_the_distributions(data, V, order, T):
    codes = np.array(data.draw(st.lists(st.integers(0, V - 1), min_size=T, max_size=T)))
    context = data.draw(st.lists(st.integers(0, V - 1), max_size=order + 2))
    stream = np.array(data.draw(st.lists(st.integers(0, V - 1), min_size=2, max_size=12)))
    for model in all_models(codes, V, order):
        p = probabilities(model, context)
        assert p.shape == (V,) and p.min() > 0 and p.sum() == pytest.approx(1.0, abs=1e-12)
        # each score is the entry of the distribution after the stream's own prefix
        scores = ngram.target_probabilities(model, stream)
        expected = [probabilities(model, stream[:t])[stream[t]] for t in range(1, stream.size)]
        assert np.allclose(scores, expected, rtol=1e-14, atol=0)


def test_training_streams_shorter_than_the_order_still_give_distributions():
    for T, order in itertools.product(range(1, 6), range(1, 7)):
        for model in all_models(np.arange(T) % 2, 2, order):
            p = probabilities(model, [1, 0, 1, 1, 0])
            assert p.min() > 0 and p.sum() == pytest.approx(1.0, abs=1e-12), (model.kind, T, order)


def test_add_alpha_scores_match_direct_counts():
    # An independent oracle: the unigram and bigram probabilities straight from np.bincount / np.add.at.
    rng = np.random.default_rng(2)
    train, valid = rng.integers(0, 5, size=400), rng.integers(0, 5, size=60)
    unigram = np.bincount(train, minlength=5) + 0.5
    expected = -np.mean(np.log2(unigram[valid[1:]] / unigram.sum()))
    assert ngram.stream_bpc(ngram.fit_unigram(train, 5, 0.5), valid) == pytest.approx(expected, rel=1e-13)
    pairs = np.full((5, 5), 0.1)
    np.add.at(pairs, (train[:-1], train[1:]), 1.0)
    expected = -np.mean(np.log2((pairs / pairs.sum(axis=1, keepdims=True))[valid[:-1], valid[1:]]))
    assert ngram.stream_bpc(ngram.fit_bigram(train, 5, 0.1), valid) == pytest.approx(expected, rel=1e-13)


def test_max_order_fits_int64_keys():
    assert ngram.max_order(78) == 10 and 78 ** 10 < 2 ** 63 <= 78 ** 11
    assert ngram.max_order(2) == 62 and ngram.max_order(1) == 62


@pytest.mark.parametrize("call, name", [
    (lambda: ngram.fit_unigram([0, 1], 0), "V"),
    (lambda: ngram.fit_unigram([0, 3], 3), "codes"),
    (lambda: ngram.fit_unigram([0.0, 1.0], 3), "codes"),
    (lambda: ngram.fit_unigram([[0, 1]], 3), "codes"),
    (lambda: ngram.fit_unigram([], 3), "codes"),
    (lambda: ngram.fit_unigram([0, 1], 3, alpha=0.0), "alpha"),
    (lambda: ngram.fit_additive([0, 1], 3, 0, 1.0), "order"),
    (lambda: ngram.fit_kneser_ney([0, 1], 78, 11), "order"),
    (lambda: ngram.fit_kneser_ney([0, 1], 3, 2.5), "order"),
    (lambda: ngram.fit_kneser_ney([0, 1], 3, 2, discount=1.5), "discount"),
    (lambda: ngram.fit_kneser_ney([0, 1], 3, 2, discount="0.5"), "discount"),
    (lambda: ngram.fit_kneser_ney([0, 1], 3, 2, discount=[[0.5, 0.5, 0.5]]), "discount"),
    (lambda: ngram.fit_kneser_ney([0, 1], 3, 1, discount=[[0.5, 2.5, 0.5]]), "discount"),
    (lambda: ngram.fit_witten_bell([0, 1], 3, None), "order"),
    (lambda: ngram.stream_bpc(ngram.fit_unigram([0, 1], 3), [0]), "codes"),
    (lambda: ngram.stream_bpc(ngram.fit_unigram([0, 1], 3), [0, 5]), "codes"),
    (lambda: ngram.stream_bpc(None, [0, 1]), "model"),
    (lambda: ngram.target_probabilities("model", [0, 1]), "model"),
    (lambda: ngram.next_character_probabilities(ngram.fit_unigram([0, 1], 3), [[0]]), "context"),
    (lambda: ngram.next_character_probabilities(ngram.fit_unigram([0, 1], 3), "ab"), "context"),
])
def test_bad_inputs_name_the_argument(call, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        call()


def test_moby_dick_orders_fit_and_score_in_seconds():
    text = corpus.load_moby_dick()
    V = len(text.alphabet)
    start = time.perf_counter()
    model = ngram.fit_kneser_ney(text.train.codes, V, 6)
    bpc = ngram.stream_bpc(model, text.validation.codes)
    assert time.perf_counter() - start < 15  # about 1 s; generous for a busy machine
    assert 2.0 < bpc < 2.15
    four = ngram.stream_bpc(ngram.fit_kneser_ney(text.train.codes, V, 4), text.validation.codes)
    assert bpc < four < ngram.stream_bpc(ngram.fit_bigram(text.train.codes, V), text.validation.codes)
