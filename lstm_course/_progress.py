"""Optional tqdm progress bars for the package's long loops."""
from lstm_course._validation import check_flag


def progress_bar(iterable=None, enabled=True, **tqdm_options):
    """Wrap ``iterable`` in a tqdm bar when ``enabled``; otherwise return it unchanged.

    tqdm is an optional dependency (``pip install 'lstm_course[progress]'``), so it
    is imported only when a bar is requested. Extra keyword arguments (``desc``,
    ``total``, ``unit``...) go to ``tqdm.auto.tqdm``. With ``iterable=None`` and
    ``enabled`` the bare bar is returned, for code that calls ``update`` itself.
    """
    if not check_flag("progress", enabled):
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError as exc:
        raise ImportError("progress=True needs tqdm: `pip install 'lstm_course[progress]'` "
                          "(or `pip install tqdm`)") from exc
    return tqdm(iterable, **tqdm_options)
