"""Input checks of the online estimators, shared by RTRL, UORO, ARTBP and truncated BPTT: the system they run on
and their stream protocol.

Chapter 9 drives an estimator by hand (``start(s0)``, then ``step(x_t, y_t)`` per step),
so each call checks what it is given against the system: the state ``s0 (N, n)``, and
each step's input ``x_t (N, D)`` and target ``y_t (N, O)`` with N fixed by ``s0``.
"""
from lstm_course._validation import as_float_array, check_object, check_shape


def check_system(name, system):
    """Raise ``ValueError`` unless ``system`` follows the protocol of :mod:`lstm_course.online.systems`."""
    return check_object(name, system, ("n_state", "n_params", "step", "vjp", "loss"),
                        "a system of lstm_course.online.systems, such as ElmanSystem")


def check_start(system, s0):
    """Return ``s0`` as a float array ``(N, n)`` with n the system's state size."""
    s0 = as_float_array("s0", s0, ndim=2)
    check_shape("s0", s0, (s0.shape[0], system.n_state), "(N, n)", f"n = {system.n_state}, the system's state size")
    return s0


def check_step(system, state, x_t, y_t):
    """Return ``x_t (N, D)`` and ``y_t (N, O)`` as float arrays, N from the stream's state ``(N, n)``.

    D is checked when the system has inputs (``system.D``); O is the readout's ``Wy (n, O)``.
    """
    if state is None:
        raise ValueError("x_t cannot be processed before the stream starts: call start(s0) first")
    N = state.shape[0]
    x_t = as_float_array("x_t", x_t, ndim=2)
    D = getattr(system, "D", x_t.shape[1])
    check_shape("x_t", x_t, (N, D), "(N, D)", "N from s0, D the system's inputs")
    y_t = as_float_array("y_t", y_t, ndim=2)
    check_shape("y_t", y_t, (N, system.Wy.shape[1]), "(N, O)", "N from s0, O the readout's outputs")
    return x_t, y_t
