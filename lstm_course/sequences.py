"""Index of Chapter 7, preparing long sequences for truncated BPTT: one module per technique.

====================================================  =========================================
Technique                                             Module
====================================================  =========================================
1. the data as-is; 2. naive split; sample orders      :mod:`lstm_course.chunking`
2, 5. stateful training, one-step samples             :mod:`lstm_course.stateful`
R^2 over weighted steps                               :mod:`lstm_course.metrics`
padding and masking                                   :mod:`lstm_course.masking`
3. window from the ACF/PACF (Durbin-Levinson)         :mod:`lstm_course.autocorrelation`
3. one sample per sentence                            :mod:`lstm_course.sentences`
4. grid search over subsequence lengths               :mod:`lstm_course.grid_search`
6. decoupled forward/backward lengths, TBPTT(k1, k2)  :mod:`lstm_course.tbptt`
====================================================  =========================================

This module defines nothing; it re-exports those functions under one name for code written
before the split (``lstm_course.sequences.stateful_batches`` still works). New code imports
the technique's own module.
"""
from .autocorrelation import (
                              autocorrelation,
                              durbin_levinson,
                              partial_autocorrelation,
                              significance_bound,
                              suggest_window_length,
)
from .chunking import as_samples, split_subsequences, stateful_batches, stateful_sample_index, stateful_sample_order
from .grid_search import GridSearchResult, grid_search_timesteps
from .masking import masked_loss_and_grads, masked_lstm_backward, masked_lstm_forward, pad_and_mask
from .metrics import r_squared
from .sentences import SentenceSamples, sentence_samples, split_sentences
from .stateful import fit_stateful, stateful_forward

__all__ = ["as_samples", "split_subsequences", "stateful_sample_index", "stateful_sample_order", "stateful_batches",
           "stateful_forward", "fit_stateful", "r_squared", "pad_and_mask", "masked_lstm_forward",
           "masked_lstm_backward", "masked_loss_and_grads", "autocorrelation", "durbin_levinson",
           "partial_autocorrelation", "significance_bound", "suggest_window_length", "split_sentences",
           "SentenceSamples", "sentence_samples", "GridSearchResult", "grid_search_timesteps"]
