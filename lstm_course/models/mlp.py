"""A small multilayer perceptron: the backpropagation training algorithm made concrete.

The network has tanh hidden layers and a linear output layer:

    a_0 = X,   a_l = tanh(a_{l-1} W_l + b_l) for hidden layers,   yhat = a_{L-1} W_L + b_L,

and is trained on the squared error E = 1/(2N) sum_n ||yhat_n - y_n||^2.
Training is the five-step loop of Chapter 1: present an input
(:func:`mlp_forward`), compare with the target (:func:`mse_loss`), compute the
derivatives (:func:`mlp_backward`), adjust the weights (:func:`sgd_step`), repeat
(:func:`train`).
"""
import numpy as np

from lstm_course._progress import progress_bar
from lstm_course._validation import (
    as_float_array,
    check_array_dict,
    check_cache,
    check_float_dtype,
    check_positive_int,
    check_scalar,
    check_shape,
)


def mlp_init(layer_sizes, rng=None, dtype=np.float64):
    """Initialise weights with Glorot-uniform scaling and zero biases.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(D_in, H_1, ..., D_out)``; at least two entries.
    rng : numpy.random.Generator or int, optional
        Random source or seed.

    Returns
    -------
    dict
        ``W1, b1, ..., WL, bL`` with ``Wl (sizes[l-1], sizes[l])`` and ``bl (sizes[l],)``.
    """
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__"):
        raise ValueError(f"layer_sizes must be a sequence of ints (D_in, H_1, ..., D_out), got {layer_sizes!r}")
    sizes = [check_positive_int("layer_sizes entry", size) for size in layer_sizes]
    dtype = check_float_dtype("dtype", dtype)
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least an input and an output size, got {list(layer_sizes)}")
    rng = np.random.default_rng(rng)
    params = {}
    for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        params[f"W{layer}"] = rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype)
        params[f"b{layer}"] = np.zeros(fan_out, dtype=dtype)
    return params


def _num_layers(params, in_place=False):
    """Validate ``W1, b1, ..., WL, bL`` (finite float arrays, chained shapes) and return L."""
    if not isinstance(params, dict):
        raise ValueError(f"params must be a dict W1, b1, ..., WL, bL, got {type(params).__name__}")
    layers = len(params) // 2
    expected = {f"{kind}{layer}" for layer in range(1, layers + 1) for kind in "Wb"}
    if set(params) != expected or layers < 1:
        raise ValueError(f"params must hold W1, b1, ..., WL, bL; got keys {sorted(params)}")
    checked = check_array_dict("params", params, in_place=in_place)
    fan_in = None
    for layer in range(1, layers + 1):
        W, b = checked[f"W{layer}"], checked[f"b{layer}"]
        if W.ndim != 2:
            raise ValueError(f"params['W{layer}'] must be a 2-D array, got shape {W.shape}")
        if fan_in is not None:
            check_shape(f"params['W{layer}']", W, (fan_in, W.shape[1]), f"(H_{layer - 1}, H_{layer})")
        check_shape(f"params['b{layer}']", b, (W.shape[1],), f"(H_{layer},) like W{layer}'s columns")
        fan_in = W.shape[1]
    return layers


def mlp_forward(params, X):
    """Forward pass (step 1: present an input and propagate it).

    Parameters
    ----------
    params : dict
        From :func:`mlp_init`.
    X : ndarray (N, D_in)

    Returns
    -------
    yhat : ndarray (N, D_out)
    cache : dict
        ``activations`` (list of a_0..a_{L-1}) and ``params``.
    """
    layers = _num_layers(params)
    X = as_float_array("X", X, ndim=2)
    check_shape("X", X, (X.shape[0], params["W1"].shape[0]), "(N, D_in)", "D_in from params['W1']")
    activations = [X]
    for layer in range(1, layers):
        activations.append(np.tanh(activations[-1] @ params[f"W{layer}"] + params[f"b{layer}"]))
    yhat = activations[-1] @ params[f"W{layers}"] + params[f"b{layers}"]
    return yhat, {"activations": activations, "params": params}


def mse_loss(yhat, y):
    """Step 2: compare with the target. E = 1/(2N) sum_n ||yhat_n - y_n||^2.

    Parameters
    ----------
    yhat, y : ndarray (N, D_out)

    Returns
    -------
    loss : float
    dyhat : ndarray (N, D_out)
        dE/dyhat = (yhat - y) / N.
    """
    yhat = as_float_array("yhat", yhat, ndim=2)
    y = as_float_array("y", y, ndim=2)
    check_shape("y", y, yhat.shape, "(N, D_out) like yhat")
    residual = yhat - y
    N = y.shape[0]
    return float(0.5 * np.sum(residual ** 2) / N), residual / N


def mlp_backward(dyhat, cache):
    """Step 3: derivatives of the error with respect to every weight.

    Output layer: dW_L = a_{L-1}^T dyhat, db_L = sum_n dyhat.
    Hidden layer l: da_l = delta_{l+1} W_{l+1}^T, delta_l = da_l * (1 - a_l**2),
    dW_l = a_{l-1}^T delta_l, db_l = sum_n delta_l.

    Parameters
    ----------
    dyhat : ndarray (N, D_out)
    cache : dict
        From :func:`mlp_forward`.

    Returns
    -------
    dict
        Gradients keyed like ``params``.
    """
    check_cache("cache", cache, ("activations", "params"), "mlp_forward")
    params, activations = cache["params"], cache["activations"]
    layers = _num_layers(params)
    delta = as_float_array("dyhat", dyhat, ndim=2)
    check_shape("dyhat", delta, (activations[0].shape[0], params[f"W{layers}"].shape[1]), "(N, D_out)")
    grads = {}
    for layer in range(layers, 0, -1):
        grads[f"W{layer}"] = activations[layer - 1].T @ delta
        grads[f"b{layer}"] = delta.sum(axis=0)
        if layer > 1:
            delta = (delta @ params[f"W{layer}"].T) * (1.0 - activations[layer - 1] ** 2)
    return grads


def sgd_step(params, grads, learning_rate):
    """Step 4: adjust the weights in place, w <- w - learning_rate * dE/dw."""
    learning_rate = check_scalar("learning_rate", learning_rate, low=0.0)
    _num_layers(params, in_place=True)
    grads = check_array_dict("grads", grads, keys=params)
    for name, grad in grads.items():
        check_shape(f"grads[{name!r}]", grad, params[name].shape, f"like params[{name!r}]")
        params[name] -= learning_rate * grad


def train(params, X, y, learning_rate, epochs, progress=False):
    """Step 5: repeat steps 1-4 with full-batch gradient descent.

    Parameters
    ----------
    params : dict
        Updated in place.
    X : ndarray (N, D_in)
    y : ndarray (N, D_out)
    learning_rate : float
    epochs : int
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    ndarray (epochs,)
        The loss before each update.
    """
    epochs = check_positive_int("epochs", epochs)
    check_scalar("learning_rate", learning_rate, low=0.0)
    _num_layers(params, in_place=True)
    X = as_float_array("X", X, ndim=2)
    y = as_float_array("y", y, ndim=2)
    check_shape("y", y, (X.shape[0], params[f"W{len(params) // 2}"].shape[1]), "(N, D_out)", "N from X")
    steps = range(epochs)
    steps = progress_bar(steps, progress, desc="epochs")
    losses = np.empty(epochs)
    for epoch in steps:
        yhat, cache = mlp_forward(params, X)
        losses[epoch], dyhat = mse_loss(yhat, y)
        sgd_step(params, mlp_backward(dyhat, cache), learning_rate)
    return losses
