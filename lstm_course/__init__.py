"""lstm_course: the numpy code behind the "Training LSTMs" course.

The package is laid out by layer; each folder's ``__init__`` says what it holds and what it may import.

- ``nn/``: activations, the recurrent cells (each forward pass beside its backward pass), the cell table,
  the readouts and losses, and the numerical gradient check;
- ``models/``: the sequence model (a cell and a readout) and its AR(p) baseline, the character language model
  and its n-gram baselines, the ensemble and the multilayer perceptron;
- ``train/``: optimisers, training loops, stateful training and metrics; ``train/tbptt/``: the TBPTT
  schedule, engine and recipe;
- ``data/``: toy tasks, chunking, masking, sentences, Chapter 8's text (*Moby-Dick*) and
  autocorrelation;
- ``online/``: the RNN and the LSTM as online systems, RTRL, UORO and ARTBP;
- ``lab/``: the measurements and experiments the chapters report;
- ``plots/`` draws every figure, ``widgets/`` holds every explorer, ``checks/`` the exercises' checkers;
- the root keeps the infrastructure every folder shares: ``_validation`` (input checks), ``_progress``
  (progress bars) and ``_nbgrader_course`` (nbgrader's plumbing).

Each module is listed under the chapter that introduces it, or as shared by several chapters. The
API page (``reference/api.md``) carries the same table; ``tests/test_layout.py`` keeps both complete.

| chapter | nn | models | train | data | online | lab | plots | widgets | checks |
|---|---|---|---|---|---|---|---|---|---|
| shared | activations, cells, readout, gradcheck | | optim | tasks | | | | | grading |
| 1 | | mlp | | | | | training | | ch01 |
| 2 | rnn | | | | | unrolling | unrolling | | ch02 |
| 3 | | recurrent, autoregression | fit | | | bptt_cost | bptt | | ch03 |
| 4 | | | | | | vanishing, one_unit | gradients | gradients | ch04 |
| 5 | lstm, lstm1997 | | | | lstm1997_rtrl | gated_unit, gradient_flow, complexity, adding | gates | gates | ch05 |
| 6 | | | tbptt.schedule, tbptt.engine, tbptt.recipe | | rtrl | | tbptt | tbptt | ch06 |
| 7 | | ensemble | stateful, metrics | chunking, masking, sentences, autocorrelation | | grid_search | sequences | | ch07 |
| 8 | | charlm, ngram | charlm_training | corpus | | char_lm | charlm | | ch08 |
| 9 | | | | | systems, lstm_system, uoro, artbp | online_cost | online | | ch09 |
"""
__version__ = "0.1.0"
