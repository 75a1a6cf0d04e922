"""A character-level LSTM language model: vocabulary, softmax readout, bits per character, sampling.

The model reads one character per step as a one-hot vector ``x_t (V,)``, runs
the LSTM of :mod:`lstm_course.nn.lstm` and predicts the next character with a
softmax readout::

    h_t = LSTM(x_t, h_{t-1}, c_{t-1}),    y_hat_t = h_t Wy + by    (logits, V),
    p_t = softmax(y_hat_t),                l_t = -log p_t[y_t]  (nats).

The parameters are those of :mod:`lstm_course.models.recurrent` with D = O = V,
``Wx (V, 4H), Wh (H, 4H), b (4H,), Wy (H, V), by (V,)``, made by
``recurrent.init_params("lstm", V, H, V, rng, forget_bias=1.0)``; the softmax
cross-entropy is :mod:`lstm_course.nn.readout`'s. The **summed loss**
L = sum_t w_t l_t (w_t = 1 on the steps whose loss is injected) is what the
backward pass differentiates; the **bits per character**
is the loss per target in bits, L / (sum_t w_t ln 2).

The baselines it must beat, add-alpha and Kneser-Ney character n-grams, are in
:mod:`lstm_course.models.ngram`, scored on the same targets as :func:`evaluate_bpc`.
"""
from typing import NamedTuple

import numpy as np

from lstm_course._validation import (
    as_float_array,
    as_rng,
    check_float_dtype,
    check_int,
    check_object,
    check_positive_int,
    check_scalar,
)
from lstm_course.models import recurrent
from lstm_course.nn import lstm, readout
from lstm_course.nn.readout import check_codes


class Vocabulary(NamedTuple):
    """The characters of a text, in sorted order; code k is ``chars[k]``."""

    chars: str

    @property
    def size(self):
        return len(self.chars)

    def encode(self, text, name="text"):
        """Codes ``(len(text),)`` of int64; ValueError (naming ``name``) for a character outside the vocabulary."""
        if not isinstance(text, str):
            raise ValueError(f"{name} must be a string, got {type(text).__name__}")
        index = {ch: k for k, ch in enumerate(self.chars)}
        unknown = sorted(set(text) - set(index))
        if unknown:
            raise ValueError(f"{name} has characters outside the vocabulary: {''.join(unknown)!r}")
        return np.fromiter((index[ch] for ch in text), dtype=np.int64, count=len(text))

    def decode(self, codes):
        """The text of the 1-D ``codes`` (integers in 0..size-1; an empty array is the empty text)."""
        if isinstance(codes, (list, tuple, np.ndarray)) and np.size(codes) == 0 and np.ndim(codes) == 1 and (
                not isinstance(codes, np.ndarray) or codes.dtype.kind in "iu"):
            return ""
        return "".join(self.chars[k] for k in _stream("codes", codes, self.size))


def _stream(name, codes, V):
    """A 1-D stream of character codes in 0..V-1 (a text, encoded)."""
    codes = check_codes(name, codes, V)
    if codes.ndim != 1:
        raise ValueError(f"{name} must be a 1-D stream of character codes, got shape {codes.shape}")
    return codes


def build_vocabulary(text):
    """The sorted set of characters of ``text`` as a :class:`Vocabulary`."""
    if not isinstance(text, str) or not text:
        raise ValueError(f"text must be a non-empty string, got {type(text).__name__}")
    return Vocabulary("".join(sorted(set(text))))


def one_hot(codes, V, dtype=np.float64):
    """``(..., V)`` array with a 1 at each code: the input x_t of the model."""
    codes = check_codes("codes", codes, V)
    out = np.zeros(codes.shape + (V,), dtype=check_float_dtype("dtype", dtype))
    np.put_along_axis(out, codes[..., None], 1.0, axis=-1)
    return out


def bits_per_character(loss_nats, n_characters):
    """The loss per target in bits: ``loss_nats / (n_characters ln 2)``."""
    loss_nats = check_scalar("loss_nats", loss_nats, low=0.0)
    n_characters = check_positive_int("n_characters", n_characters)
    return loss_nats / (n_characters * np.log(2.0))


def check_model(params):
    """Return ``(V, H)`` of a character model: an LSTM with readout (:func:`lstm_course.models.recurrent.check_params`)
    whose input and output are both one-hot over the same V characters."""
    V, H, O = recurrent.check_params(params, "lstm")
    if O != V:
        raise ValueError(f"params['Wy'] must have shape (H, V) = ({H}, {V}) with V from params['Wx'] "
                         f"(the model predicts the character it reads next), got {params['Wy'].shape}")
    return V, H


def loss_and_grads(params, x_codes, y_codes, h0=None, c0=None, weights=None):
    """Summed cross-entropy of the model on a batch of character windows, and its gradients.

    Parameters
    ----------
    params : dict ``Wx, Wh, b, Wy, by``
    x_codes, y_codes : int ndarray (N, T)
        Input characters and the next characters to predict.
    h0, c0 : ndarray (N, H), optional
        State entering the window (zeros if omitted); treated as constants.
    weights : ndarray (T,) or (N, T), optional
        Which steps' losses are injected (TBPTT injects only the last k1).

    Returns
    -------
    loss : float
        Summed cross-entropy in nats.
    grads : dict
        Gradients of ``loss`` for the five parameters.
    """
    V, H = check_model(params)
    x_codes = check_codes("x_codes", x_codes, V)
    y_codes = check_codes("y_codes", y_codes, V)
    if x_codes.ndim != 2 or x_codes.shape != y_codes.shape:
        raise ValueError(f"x_codes and y_codes must both have shape (N, T), got {x_codes.shape} and {y_codes.shape}")
    dtype = params["Wh"].dtype
    if weights is None:
        weights = np.ones(x_codes.shape[1], dtype=dtype)
    weights = as_float_array("weights", weights)
    if weights.shape not in (x_codes.shape[1:], x_codes.shape):
        raise ValueError(f"weights must have shape (T,) = {x_codes.shape[1:]} or (N, T) = {x_codes.shape}, "
                         f"got {weights.shape}")
    weights = np.broadcast_to(weights.astype(dtype, copy=False), x_codes.shape)
    logits, cache = recurrent.forward(params, one_hot(x_codes, V, dtype), "lstm", h0, c0)
    loss, dlogits = readout.softmax_cross_entropy_kernel(logits, y_codes, weights)
    grads = recurrent.backward(dlogits, cache)
    return loss, {name: grads[name] for name in recurrent.PARAM_NAMES}


def sample_with_temperature(logits, temperature, rng=None):
    """Draw one code from p = softmax(logits / temperature), by inverting the cumulative distribution.

    Draws u = ``rng.random()`` and returns the first k with p_0 + ... + p_k > u.
    Temperature 1 samples the model's distribution; below 1 sharpens it towards
    the most likely character, above 1 flattens it towards uniform.
    """
    logits = as_float_array("logits", logits, ndim=1)
    temperature = check_scalar("temperature", temperature, low=0.0, low_open=True)
    cumulative = np.cumsum(readout.softmax(logits / temperature))
    u = as_rng("rng", rng).random()
    return int(min(np.searchsorted(cumulative, u, side="right"), cumulative.size - 1))


def sample(params, vocab, prime, n_characters, temperature=1.0, rng=None):
    """Generate ``n_characters`` after reading the string ``prime``.

    The prime is run through the LSTM to set the state; then each step samples
    a character (:func:`sample_with_temperature`) and feeds it back as the next input.

    Returns
    -------
    str
        ``prime`` followed by the generated characters.
    """
    V, H = check_model(params)
    check_object("vocab", vocab, ("encode", "decode", "size"), "a Vocabulary (build_vocabulary)")
    if vocab.size != V:
        raise ValueError(f"vocab has {vocab.size} characters but the model's V = {V}")
    if not isinstance(prime, str) or not prime:
        raise ValueError(f"prime must be a non-empty string, got {prime!r}")
    n_characters = check_int("n_characters", n_characters, minimum=0)
    temperature = check_scalar("temperature", temperature, low=0.0, low_open=True)
    rng = as_rng("rng", rng)
    p, dtype = params, params["Wh"].dtype
    x = one_hot(vocab.encode(prime, "prime")[None], V, dtype)
    h, c, _ = lstm.lstm_forward(x, None, None, p["Wx"], p["Wh"], p["b"])
    h, c = h[:, -1], c[:, -1]
    codes = []
    for _ in range(n_characters):
        code = sample_with_temperature((h @ p["Wy"] + p["by"])[0], temperature, rng)
        codes.append(code)
        h, c, _ = lstm.lstm_step_forward(one_hot([code], V, dtype), h, c, p["Wx"], p["Wh"], p["b"])
    return prime + vocab.decode(codes)


def evaluate_bpc(params, codes, chunk=500):
    """Bits per character of the model on one stream ``codes``, read in order from a zero state.

    The stream is fed in chunks of ``chunk`` steps carrying the state, so memory
    does not grow with its length; every character after the first is a target.
    """
    V, _ = check_model(params)
    codes = _stream("codes", codes, V)
    chunk = check_positive_int("chunk", chunk)
    h = c = None
    total = 0.0
    p = params
    for start in range(0, codes.size - 1, chunk):
        x, y = codes[start:start + chunk], codes[start + 1:start + chunk + 1]
        x = x[:y.size]
        hs, cs, _ = lstm.lstm_forward(one_hot(x[None], V, p["Wh"].dtype), h, c, p["Wx"], p["Wh"], p["b"])
        total += readout.softmax_cross_entropy(hs @ p["Wy"] + p["by"], y[None])[0]
        h, c = hs[:, -1], cs[:, -1]
    return bits_per_character(total, codes.size - 1)
