"""lstm_course: the numpy code behind the "Training LSTMs" course.

One concept per module, one module per chapter:

- :mod:`lstm_course.activations`, :mod:`lstm_course.gradcheck`, :mod:`lstm_course.optim`,
  :mod:`lstm_course.tasks`: shared tools, optimisers and toy tasks;
- :mod:`lstm_course.mlp`: Chapter 1, backpropagation as a training algorithm;
- :mod:`lstm_course.rnn`, :mod:`lstm_course.unrolling`: Chapter 2, the Elman RNN unrolled;
- :mod:`lstm_course.models`, :mod:`lstm_course.training`, :mod:`lstm_course.bptt_cost`: Chapter 3, BPTT;
- :mod:`lstm_course.vanishing`, :mod:`lstm_course.one_unit`: Chapter 4, vanishing and exploding gradients;
- :mod:`lstm_course.lstm`, :mod:`lstm_course.lstm1997`, :mod:`lstm_course.gradient_flow`,
  :mod:`lstm_course.adding`, :mod:`lstm_course.complexity`: Chapter 5, the carousel and the gates;
- :mod:`lstm_course.tbptt_windows`, :mod:`lstm_course.tbptt`, :mod:`lstm_course.tbptt_recipe`,
  :mod:`lstm_course.rtrl`: Chapter 6, exact truncated BPTT;
- :mod:`lstm_course.cells`: the table of recurrent cells that cell-generic code looks up;
- :mod:`lstm_course.chunking`, :mod:`lstm_course.stateful`, :mod:`lstm_course.metrics`,
  :mod:`lstm_course.masking`, :mod:`lstm_course.autocorrelation`, :mod:`lstm_course.sentences`,
  :mod:`lstm_course.grid_search`, :mod:`lstm_course.ensemble`: Chapter 7, preparing sequences, one
  module per technique;
- :mod:`lstm_course.plots` and :mod:`lstm_course.widgets`: every figure and widget.
"""
__version__ = "0.1.0"
