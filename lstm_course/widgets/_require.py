"""Import ipywidgets on first use, with an actionable message when it is missing."""


def require_ipywidgets():
    """Return the ``ipywidgets`` module or raise ImportError explaining how to get it."""
    try:
        import ipywidgets
    except ImportError as exc:
        raise ImportError("This widget needs ipywidgets. Install it with "
                          "`pip install 'lstm_course[widgets]'` (or `pip install ipywidgets`) "
                          "and restart the kernel.") from exc
    return ipywidgets
