r"""Character n-gram language models: the classical baselines a character-level LSTM must beat.

An n-gram model predicts character :math:`w = x_t` from the :math:`n-1` characters
before it, :math:`h = x_{t-n+1} \dots x_{t-1}`, with probabilities built from the
counts :math:`c(\cdot)` of a training stream over a vocabulary of :math:`V` characters.
Three estimators:

- **Add-alpha** (:func:`fit_unigram`, :func:`fit_bigram`, :func:`fit_additive`):
  :math:`p(w \mid h) = \dfrac{c(hw) + \alpha}{c(h\,\cdot) + \alpha V}`, with
  :math:`c(h\,\cdot) = \sum_w c(hw)`.
- **Interpolated Kneser-Ney** (:func:`fit_kneser_ney`; Chen & Goodman 1998,
  sections 3.5 and 4.1.6), recursive over the context length, with :math:`h^-` the
  context without its oldest character:

  .. math::

     p_k(w \mid h) = \frac{c_k(hw) - D_k(c_k(hw))}{c_k(h\,\cdot)}
                   + \gamma_k(h)\, p_{k-1}(w \mid h^-), \qquad
     \gamma_k(h) = \frac{\sum_{r=1}^{3} D_{k,r}\, N_r(h\,\cdot)}{c_k(h\,\cdot)}, \qquad
     p_0(w) = \frac{1}{V},

  where :math:`N_r(h\,\cdot)` counts the characters with :math:`c_k(hw) = r` (r = 3:
  three or more) and :math:`D_k(c) = D_{k,\min(c, 3)}`, :math:`D_k(0) = 0`. *Modified*
  Kneser-Ney has three discounts per order; *plain* Kneser-Ney one
  (:math:`D_{k,1} = D_{k,2} = D_{k,3}`). The highest order :math:`n` uses the counts,
  :math:`c_n = c`; every lower order *continuation counts*
  :math:`c_k(hw) = N_{1+}(\cdot\, hw)`, the number of distinct characters seen before
  :math:`hw`: a lower order is consulted for what the longer context has not seen, so it
  rewards characters that follow many different contexts, not frequent ones.
- **Interpolated Witten-Bell** (:func:`fit_witten_bell`), with the counts at every order
  and :math:`N_{1+}(h\,\cdot) = \sum_r N_r(h\,\cdot)`:
  :math:`p_k(w \mid h) = \dfrac{c(hw) + N_{1+}(h\,\cdot)\, p_{k-1}(w \mid h^-)}{c(h\,\cdot) + N_{1+}(h\,\cdot)}`.

In the two interpolated models a context never seen (:math:`c_k(h\,\cdot) = 0`)
hands all its mass to the shorter one, :math:`p_k(w \mid h) = p_{k-1}(w \mid h^-)`.
Every model sums to 1 over the V characters in every context, seen or not, and gives
every character a non-zero probability.

**Scoring** is one function for every model, :func:`target_probabilities`, and so is
:func:`stream_bpc`: every character of a stream after the first is a target, predicted
from the characters before it *in that stream*, the T - 1 targets
``lstm_course.models.charlm.evaluate_bpc`` scores an LSTM on from a zero state. The
first n - 2 targets have fewer than n - 1 characters before them: they **back off** to
the context the stream has, i.e. the recursion above started at order (characters
before them + 1); for add-alpha, the add-alpha model of that order.

Counts live in sorted int64 tables keyed by the base-V number of the n-gram (its
last character least significant), looked up with ``np.searchsorted``. On the two-core
test machine, fitting order 6 on Moby-Dick's million training characters took 0.4-0.5 s
and scoring its 89,420 validation characters 0.2 s when idle (1.1-1.9 s and 0.5-0.9 s
under a load of 9).
"""
from typing import NamedTuple

import numpy as np

from lstm_course._validation import as_float_array, check_int, check_object, check_positive_int, check_scalar
from lstm_course.models.charlm import check_codes

KINDS = ("add-alpha", "kneser-ney", "witten-bell")


class CountTable(NamedTuple):
    """The counts of one order k: its k-grams (``keys`` sorted, ``counts``) and their contexts
    (``context_keys`` sorted, ``context_totals`` c_k(h .), ``context_types (3, contexts)`` N_1, N_2, N_3+(h .))."""

    keys: np.ndarray
    counts: np.ndarray
    context_keys: np.ndarray
    context_totals: np.ndarray
    context_types: np.ndarray


class NGramModel(NamedTuple):
    """A fitted character n-gram model; ``tables[k - 1]`` holds order k's counts (k = 1..order).

    ``parameters``: ``(alpha,)`` for add-alpha, the discounts ``D (order, 3)`` (row k - 1:
    :math:`D_{k,1}, D_{k,2}, D_{k,3+}`) for Kneser-Ney, ``()`` for Witten-Bell.
    """

    kind: str
    order: int
    V: int
    tables: tuple
    parameters: tuple


def max_order(V):
    """The highest order whose n-gram keys fit in int64: the largest n with :math:`V^n < 2^{63}`."""
    V = check_positive_int("V", V)
    n = 1
    while V ** (n + 1) < 2 ** 63 and n < 62:
        n += 1
    return n


def _check_stream(name, codes, V, minimum):
    codes = check_codes(name, codes, V)
    if codes.ndim != 1 or codes.size < minimum:
        raise ValueError(f"{name} must be a 1-D stream of at least {minimum} codes, got shape {codes.shape}")
    return codes


def _gram_keys(codes, V, k):
    """Base-V keys of the length-k windows of ``codes``: :math:`\\sum_{j=0}^{k-1} x_{t-j} V^j`, t = k-1..T-1."""
    T = codes.size
    keys = np.zeros(max(T - k + 1, 0), dtype=np.int64)
    if T < k:  # no window (and slices with negative ends would wrap around)
        return keys
    for j in range(k):
        keys += codes[k - 1 - j:T - j] * V ** j
    return keys


def _table(keys, counts, V):
    context = keys // V  # as sorted as keys: dropping the last character keeps the order
    context_keys, first, inverse = np.unique(context, return_index=True, return_inverse=True)
    totals = np.add.reduceat(counts, first) if keys.size else np.zeros(0)
    types = np.zeros((3, context_keys.size))
    np.add.at(types, (np.minimum(counts, 3) - 1, inverse), 1.0)
    return CountTable(keys, counts.astype(np.float64), context_keys, totals.astype(np.float64), types)


def _count_tables(codes, V, order, continuation):
    """Tables of orders 1..order; with ``continuation``, the orders below ``order`` hold N_1+(. hw)."""
    grams = [np.unique(_gram_keys(codes, V, k), return_counts=True) for k in range(1, order + 1)]
    tables = []
    for k, (keys, counts) in enumerate(grams, start=1):
        if continuation and k < order:  # each distinct (k+1)-gram adds one left neighbour to its suffix
            keys, counts = np.unique(grams[k][0] % V ** k, return_counts=True)
        tables.append(_table(keys, counts, V))
    return tuple(tables)


def _fit_checks(codes, V, order):
    V = check_positive_int("V", V)
    codes = _check_stream("codes", codes, V, 1)
    return codes, V, check_int("order", order, minimum=1, maximum=max_order(V))


def fit_additive(codes, V, order, alpha):
    r"""Add-alpha n-gram, :math:`p(w \mid h) = (c(hw) + \alpha) / (c(h\,\cdot) + \alpha V)`.

    Parameters
    ----------
    codes : array_like of int, shape (T,)
        The training stream, codes in 0..V-1.
    V : int
        Vocabulary size.
    order : int
        n: the model reads the n - 1 previous characters (1: unigram, 2: bigram).
    alpha : float
        Pseudo-count added to each of the V continuations of every context, > 0.

    Returns
    -------
    NGramModel
    """
    codes, V, order = _fit_checks(codes, V, order)
    alpha = check_scalar("alpha", alpha, low=0.0, low_open=True)
    return NGramModel("add-alpha", order, V, _count_tables(codes, V, order, continuation=False), (alpha,))


def fit_unigram(codes, V, alpha=1.0):
    r"""Character frequencies, :math:`p(w) = (c(w) + \alpha) / (T + \alpha V)`: :func:`fit_additive` of order 1."""
    return fit_additive(codes, V, 1, alpha)


def fit_bigram(codes, V, alpha=0.1):
    r""":math:`p(w \mid v) = (c(vw) + \alpha) / (c(v\,\cdot) + \alpha V)`: :func:`fit_additive` of order 2."""
    return fit_additive(codes, V, 2, alpha)


def _estimated_discounts(counts):
    """Chen & Goodman's :math:`D_r = r - (r + 1) Y n_{r+1} / n_r`, :math:`Y = n_1 / (n_1 + 2 n_2)` (n_r: grams
    counted r times), kept in [0.1, r] so that a tiny corpus still leaves mass for the shorter contexts."""
    n = [np.sum(counts == r) for r in (1, 2, 3, 4)]
    Y = n[0] / (n[0] + 2 * n[1]) if n[0] + n[1] else 0.5
    return [float(np.clip(r - (r + 1) * Y * n[r] / n[r - 1], 0.1, r)) if n[r - 1] else 0.5 for r in (1, 2, 3)]


def _discounts(discount, tables):
    order = len(tables)
    if discount is None:
        return np.array([_estimated_discounts(table.counts) for table in tables])
    if np.ndim(discount) == 0:
        return np.full((order, 3), check_scalar("discount", discount, low=0.0, high=1.0, low_open=True))
    D = as_float_array("discount", discount, ndim=2)
    if D.shape != (order, 3):
        raise ValueError(f"discount must have shape (order, 3) = ({order}, 3), got {D.shape}")
    if np.any(D <= 0) or np.any(D > np.array([1.0, 2.0, 3.0])):
        raise ValueError("discount must hold D_k,1 in (0, 1], D_k,2 in (0, 2], D_k,3+ in (0, 3], "
                         f"got {D.tolist()}")
    return D


def fit_kneser_ney(codes, V, order, discount=None):
    r"""Interpolated Kneser-Ney n-gram, modified or plain (the recursion is in the module docstring).

    Parameters
    ----------
    codes : array_like of int, shape (T,)
        The training stream, codes in 0..V-1.
    V : int
        Vocabulary size.
    order : int
        n, from 1 to :func:`max_order` (V) (10 for V = 78).
    discount : None, float or array_like (order, 3), optional
        None (default): modified Kneser-Ney with Chen & Goodman's estimates from
        each order's own counts, :math:`D_{k,r} = r - (r+1) Y n_{r+1}/n_r` with
        :math:`Y = n_1/(n_1 + 2 n_2)` (:math:`n_r`: k-grams counted r times), kept in
        [0.1, r]. A float in (0, 1]: plain Kneser-Ney, that discount everywhere. An
        array: :math:`D_{k,r}` itself, row k - 1 for order k, :math:`D_{k,r}` in (0, r].

    Returns
    -------
    NGramModel
    """
    codes, V, order = _fit_checks(codes, V, order)
    tables = _count_tables(codes, V, order, continuation=True)
    return NGramModel("kneser-ney", order, V, tables, tuple(map(tuple, _discounts(discount, tables).tolist())))


def fit_witten_bell(codes, V, order):
    r"""Interpolated Witten-Bell n-gram (module docstring); it has no parameter to tune.

    Parameters
    ----------
    codes : array_like of int, shape (T,)
        The training stream, codes in 0..V-1.
    V : int
        Vocabulary size.
    order : int
        n, from 1 to :func:`max_order` (V).

    Returns
    -------
    NGramModel
    """
    codes, V, order = _fit_checks(codes, V, order)
    return NGramModel("witten-bell", order, V, _count_tables(codes, V, order, continuation=False), ())


def _lookup(keys, values, queries):
    """``values[i]`` where ``keys[i] == query`` (``keys`` sorted), 0 for a query not in ``keys``."""
    if keys.size == 0:
        return np.zeros(queries.shape)
    index = np.minimum(np.searchsorted(keys, queries), keys.size - 1)
    return np.where(keys[index] == queries, values[index], 0.0)


def _probabilities(model, histories, targets):
    """p(target | history) per row of ``histories (Q, order - 1)``: oldest first, -1 before the stream's start."""
    V, order = model.V, model.order
    available = np.sum(histories >= 0, axis=1)
    p = np.full(targets.shape, 1.0 / V)  # p_0
    context = np.zeros(targets.shape, dtype=np.int64)
    for k, table in enumerate(model.tables, start=1):
        if k > 1:  # lengthen the context by x_{t-k+1}, its most significant digit
            context = context + np.maximum(histories[:, order - k], 0) * V ** (k - 2)
        counts = _lookup(table.keys, table.counts, targets + V * context)
        totals = _lookup(table.context_keys, table.context_totals, context)
        types = np.stack([_lookup(table.context_keys, row, context) for row in table.context_types])
        seen = totals > 0
        if model.kind == "add-alpha":
            level = (counts + model.parameters[0]) / (totals + model.parameters[0] * V)
        elif model.kind == "kneser-ney":
            D = np.array(model.parameters[k - 1])
            discounted = np.where(counts > 0, counts - D[np.clip(counts, 1, 3).astype(np.int64) - 1], 0.0)
            level = np.where(seen, (discounted + (D @ types) * p) / np.where(seen, totals, 1.0), p)
        else:
            types = types.sum(axis=0)
            level = np.where(seen, (counts + types * p) / np.where(seen, totals + types, 1.0), p)
        p = np.where(available >= k - 1, level, p)  # back off where the stream is too short for order k
    return p


def _check_model(model):
    check_object("model", model, NGramModel._fields, "an NGramModel from fit_kneser_ney, fit_bigram, ...")
    if model.kind not in KINDS or len(model.tables) != model.order:
        raise ValueError(f"model must be an NGramModel of this module (kind one of {KINDS}), got {model.kind!r}")
    return model


def _histories(codes, order):
    """Row t - 1: the order - 1 characters before ``codes[t]`` (t = 1..T-1), oldest first, -1 before the start."""
    if order == 1:
        return np.zeros((codes.size - 1, 0), dtype=np.int64)
    padded = np.concatenate([np.full(order - 1, -1, dtype=np.int64), codes])
    return np.lib.stride_tricks.sliding_window_view(padded[:-1], order - 1)[1:]


def target_probabilities(model, codes):
    r"""The probability ``model`` gives each character of the stream ``codes`` after the first.

    Parameters
    ----------
    model : NGramModel
    codes : array_like of int, shape (T,), T >= 2
        A stream scored on its own; its first order - 2 targets back off to the
        shorter context the stream offers (module docstring).

    Returns
    -------
    ndarray (T - 1,)
        :math:`p(x_t \mid x_{\max(0, t-n+1)} \dots x_{t-1})` for t = 1 .. T-1, all > 0.
    """
    model = _check_model(model)
    codes = _check_stream("codes", codes, model.V, 2)
    return _probabilities(model, _histories(codes, model.order), codes[1:])


def next_character_probabilities(model, context):
    """The distribution ``(V,)`` of the character after ``context``, a 1-D array of codes.

    The model reads the last order - 1 codes of ``context``; a shorter one (even empty)
    backs off as at a stream's start. The scores of :func:`target_probabilities` are
    entries of these distributions (same function underneath).
    """
    model = _check_model(model)
    context = np.zeros(0, dtype=np.int64) if np.size(context) == 0 else check_codes("context", context, model.V)
    if context.ndim != 1:
        raise ValueError(f"context must be a 1-D array of codes, got shape {context.shape}")
    history = np.full(model.order - 1, -1, dtype=np.int64)
    tail = context[context.size - min(context.size, model.order - 1):]
    history[history.size - tail.size:] = tail
    return _probabilities(model, np.tile(history, (model.V, 1)), np.arange(model.V))


def stream_bpc(model, codes):
    r"""Bits per character of ``model`` on the stream ``codes``, the same for every model of this module.

    :math:`-\frac{1}{T-1} \sum_{t=1}^{T-1} \log_2 p(x_t \mid \text{the characters before it})`,
    from :func:`target_probabilities`: the T - 1 targets ``charlm.evaluate_bpc`` counts.
    """
    return float(-np.mean(np.log2(target_probabilities(model, codes))))
