"""Gradients carried forward in time: the Elman RNN and the LSTM as online systems, with the loop that runs an
estimator along a stream (``systems``, ``lstm_system``), real-time recurrent learning (``rtrl``), UORO (``uoro``),
ARTBP and its truncated baseline (``artbp``) and the 1997 LSTM's forward-gradient rule (``lstm1997_rtrl``).
``online/`` imports ``nn/``, ``models/`` and the root infrastructure.
"""
