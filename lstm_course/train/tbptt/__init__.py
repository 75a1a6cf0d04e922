"""Truncated backpropagation through time, TBPTT(k1, k2): when the updates happen, which steps each one backpropagates
through and what that costs (``schedule``), the exact engine and its streaming trainer for any readout and loss
(``engine``, with its input checks in the private ``_inputs``), and a widely copied recipe that goes wrong once windows
overlap (``recipe``). ``train/tbptt/`` imports ``nn/``, ``models/``, ``train/optim`` and the root infrastructure.
"""
