"""The table of recurrent cells: everything that differs between them, in one place.

Code that works for any cell looks the cell up here instead of branching on its name::

    cell = cells.get("lstm")
    state, step = cell.step_forward(x_t, state, Wx, Wh, b)            # state is a tuple
    dx, dstate_prev, dWx, dWh, db = cell.step_backward(dstate, step)
    dz, dstate_prev = cell.step_dz(dstate, step)                      # only as far as z

A cell's **state** is a tuple: ``(h,)`` for the Elman RNN, ``(h, c)`` for the LSTM and
``(y, s)`` for the 1997 LSTM, each ``(N, H)``. The error on it, ``dstate``, has the same
structure. The columns of ``Wx (D, G H)``, ``Wh (H, G H)`` and ``b (G H,)`` hold
``G = gate_blocks`` blocks.

==============  ====  ===========  ====================================================
cell            G     state        functions
==============  ====  ===========  ====================================================
``"rnn"``       1     (h,)         :mod:`lstm_course.nn.rnn`
``"lstm"``      4     (h, c)       :mod:`lstm_course.nn.lstm` (blocks i, f, g, o)
``"lstm1997"``  3     (y, s)       :mod:`lstm_course.nn.lstm1997` with blocks of size 1
==============  ====  ===========  ====================================================

Only ``"rnn"`` and ``"lstm"`` (``MODEL_CELLS``) train with a readout in
:mod:`lstm_course.models.recurrent`; the 1997 cell is here for the error-flow measurements.
"""
from collections.abc import Callable
from typing import NamedTuple

from lstm_course._validation import as_float_array
from lstm_course.nn import lstm, lstm1997, rnn

MODEL_CELLS = ("rnn", "lstm")


class Cell(NamedTuple):
    """One recurrent cell: its sizes and its forward/backward functions, with the state as a tuple.

    Fields, in order (documented here rather than as attributes, which autodoc lists anyway):

    - ``name`` (str)
    - ``gate_blocks`` (int): G, the number of H-wide column blocks of Wx, Wh and b.
    - ``state_names`` (tuple of str): Names of the state arrays, e.g. ``("h", "c")``; the
      initial state is ``name + "0"``.
    - ``forget_block`` (int or None): Column block of the forget gate (its bias gets
      ``forget_bias``), None if the cell has none.
    - ``forward`` (callable): ``forward(x, state0, Wx, Wh, b) -> (states, cache)``: ``x (N, T,
      D)``, ``state0`` a tuple of ``(N, H)`` arrays or Nones (zeros), ``states`` a tuple of
      ``(N, T, H)`` arrays.
    - ``backward`` (callable): ``backward(dh, cache) -> (dx, dstate0, dWx, dWh, db)``: BPTT of
      ``forward`` for the error ``dh (N, T, H)`` on the first state array (the layer output).
    - ``step_forward`` (callable): ``step_forward(x_t, state, Wx, Wh, b) -> (state, step)``,
      unvalidated kernel.
    - ``step_backward`` (callable): ``step_backward(dstate, step) -> (dx, dstate_prev, dWx, dWh,
      db)``, unvalidated kernel.
    - ``step_dz`` (callable): ``step_dz(dstate, step) -> (dz, dstate_prev)``: the same step back
      only as far as the pre-activation z = x Wx + (previous output) Wh + b, whose weight
      gradients a caller can then sum over many steps in one product.
    - ``step_cache`` (callable): ``step_cache(cache, t)``: step t's cache read out of a
      ``forward`` cache.
    - ``final_state`` (callable): ``final_state(cache)``: the state tuple after the last step.
    """

    name: str
    gate_blocks: int
    state_names: tuple
    forget_block: object
    forward: Callable
    backward: Callable
    step_forward: Callable
    step_backward: Callable
    step_dz: Callable
    step_cache: Callable
    final_state: Callable

    def initial_state(self, **given):
        """The initial state tuple from keyword arguments ``h0=..., c0=...`` (missing or None: zeros).

        Raises ``ValueError`` for a state this cell does not have, e.g. ``c0`` for the RNN.
        """
        names = tuple(f"{name}0" for name in self.state_names)
        for key, value in given.items():
            if value is not None and key not in names:
                raise ValueError(f"{key} is only used by a cell whose state includes it; cell={self.name!r} "
                                 f"starts from {', '.join(names)} (pass {key}=None)")
        # Each state is an (N, H) float array; its N and H are checked against x and the weights later.
        return tuple(None if given.get(name) is None else as_float_array(name, given[name], ndim=2)
                     for name in names)


# Adapters: each module's own signature to the table's (state as a tuple).

def _rnn_forward(x, state0, Wx, Wh, b):
    h, cache = rnn.rnn_forward(x, state0[0], Wx, Wh, b)
    return (h,), cache


def _rnn_backward(dh, cache):
    dx, dh0, dWx, dWh, db = rnn.rnn_backward(dh, cache)
    return dx, (dh0,), dWx, dWh, db


def _rnn_step_forward(x, state, Wx, Wh, b):
    h, step = rnn.step_forward(x, state[0], Wx, Wh, b)
    return (h,), step


def _rnn_step_backward(dstate, step):
    dx, dh_prev, dWx, dWh, db = rnn.step_backward(dstate[0], step)
    return dx, (dh_prev,), dWx, dWh, db


def _rnn_step_dz(dstate, step):
    dz, dh_prev = rnn.step_dz(dstate[0], step)
    return dz, (dh_prev,)


def _lstm_forward(x, state0, Wx, Wh, b):
    h, c, cache = lstm.lstm_forward(x, state0[0], state0[1], Wx, Wh, b)
    return (h, c), cache


def _lstm_backward(dh, cache):
    dx, dh0, dc0, dWx, dWh, db = lstm.lstm_backward(dh, cache)
    return dx, (dh0, dc0), dWx, dWh, db


def _lstm_step_forward(x, state, Wx, Wh, b):
    h, c, step = lstm.step_forward(x, state[0], state[1], Wx, Wh, b)
    return (h, c), step


def _lstm_step_backward(dstate, step):
    dx, dh_prev, dc_prev, dWx, dWh, db = lstm.step_backward(dstate[0], dstate[1], step)
    return dx, (dh_prev, dc_prev), dWx, dWh, db


def _lstm_step_dz(dstate, step):
    dz, dh_prev, dc_prev = lstm.step_dz(dstate[0], dstate[1], step)
    return dz, (dh_prev, dc_prev)


def _lstm1997_forward(x, state0, Wx, Wh, b):
    y, s, cache = lstm1997.lstm1997_forward(x, state0[0], state0[1], Wx, Wh, b, block_size=1)
    return (y, s), cache


def _lstm1997_backward(dy, cache):
    dx, dy0, ds0, dWx, dWh, db = lstm1997.lstm1997_backward(dy, cache)
    return dx, (dy0, ds0), dWx, dWh, db


def _lstm1997_step_forward(x, state, Wx, Wh, b):
    y, s, step = lstm1997.step_forward(x, state[0], state[1], Wx, Wh, b, 1)
    return (y, s), step


def _lstm1997_step_backward(dstate, step):
    dx, dy_prev, ds_prev, dWx, dWh, db = lstm1997.step_backward(dstate[0], dstate[1], step)
    return dx, (dy_prev, ds_prev), dWx, dWh, db


def _lstm1997_step_dz(dstate, step):
    dz, dy_prev, ds_prev = lstm1997.step_dz(dstate[0], dstate[1], step)
    return dz, (dy_prev, ds_prev)


RNN = Cell("rnn", gate_blocks=1, state_names=("h",), forget_block=None,
           forward=_rnn_forward, backward=_rnn_backward,
           step_forward=_rnn_step_forward, step_backward=_rnn_step_backward,
           step_dz=_rnn_step_dz,
           step_cache=rnn.step_cache, final_state=lambda cache: (rnn.final_state(cache),))

LSTM = Cell("lstm", gate_blocks=4, state_names=("h", "c"), forget_block=1,
            forward=_lstm_forward, backward=_lstm_backward,
            step_forward=_lstm_step_forward, step_backward=_lstm_step_backward,
            step_dz=_lstm_step_dz,
            step_cache=lstm.step_cache, final_state=lstm.final_state)

LSTM1997 = Cell("lstm1997", gate_blocks=3, state_names=("y", "s"), forget_block=None,
                forward=_lstm1997_forward, backward=_lstm1997_backward,
                step_forward=_lstm1997_step_forward, step_backward=_lstm1997_step_backward,
                step_dz=_lstm1997_step_dz,
                step_cache=lstm1997.step_cache, final_state=lstm1997.final_state)

CELLS = {cell.name: cell for cell in (RNN, LSTM, LSTM1997)}


def get(name, allowed=None):
    """The :class:`Cell` called ``name``; ``ValueError`` unless it is one of ``allowed`` (default: all cells)."""
    allowed = tuple(CELLS) if allowed is None else tuple(allowed)
    if not isinstance(name, str) or name not in allowed:
        raise ValueError(f"cell must be one of {allowed}, got {name!r}")
    return CELLS[name]
