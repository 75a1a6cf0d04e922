"""The chapters' measurements and experiments: unrolled copies and their memory (``unrolling``, Chapter 2), the cost of
a BPTT update (``bptt_cost``, 3), vanishing gradients and the one-unit model (``vanishing``, ``one_unit``, 4), one
LSTM unit with hand-set gates, error flow through a layer, parameter and FLOP counts and the adding problem
(``gated_unit``, ``gradient_flow``, ``complexity``, ``adding``, 5), the grid search over window
lengths (``grid_search``, 7), one trained configuration of the character model (``char_lm``, 8) and the time per
step of RTRL and TBPTT (``online_cost``, 9). ``lab/`` may import every folder below ``plots/`` (it uses ``nn/``,
``models/``, ``train/``, ``data/`` and ``online/``), never ``plots/``, ``widgets/`` or ``checks/``.
"""
