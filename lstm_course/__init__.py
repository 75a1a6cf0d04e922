"""lstm_course: the numpy code behind the "Training LSTMs" course.

One concept per module, one module per chapter:

- :mod:`lstm_course.nn.activations`, :mod:`lstm_course.nn.gradcheck`, :mod:`lstm_course.train.optim`,
  :mod:`lstm_course.data.tasks`: shared tools, optimisers and toy tasks;
- :mod:`lstm_course.models.mlp`: Chapter 1, backpropagation as a training algorithm;
- :mod:`lstm_course.nn.rnn`, :mod:`lstm_course.lab.unrolling`: Chapter 2, the Elman RNN unrolled;
- :mod:`lstm_course.models.recurrent`, :mod:`lstm_course.train.fit`, :mod:`lstm_course.lab.bptt_cost`: Chapter 3, BPTT;
- :mod:`lstm_course.lab.vanishing`, :mod:`lstm_course.lab.one_unit`: Chapter 4, vanishing and exploding gradients;
- :mod:`lstm_course.nn.lstm`, :mod:`lstm_course.nn.lstm1997`, :mod:`lstm_course.lab.gradient_flow`,
  :mod:`lstm_course.lab.adding`, :mod:`lstm_course.lab.complexity`: Chapter 5, the carousel and the gates;
- :mod:`lstm_course.train.tbptt.schedule`, :mod:`lstm_course.train.tbptt.engine`, :mod:`lstm_course.train.tbptt.recipe`,
  :mod:`lstm_course.online.rtrl`: Chapter 6, exact truncated BPTT;
- :mod:`lstm_course.nn.cells`: the table of recurrent cells that cell-generic code looks up;
- :mod:`lstm_course.data.chunking`, :mod:`lstm_course.train.stateful`, :mod:`lstm_course.train.metrics`,
  :mod:`lstm_course.data.masking`, :mod:`lstm_course.data.autocorrelation`, :mod:`lstm_course.data.sentences`,
  :mod:`lstm_course.lab.grid_search`, :mod:`lstm_course.models.ensemble`: Chapter 7, preparing sequences, one
  module per technique;
- :mod:`lstm_course.plots` and :mod:`lstm_course.widgets`: every figure and widget.
"""
__version__ = "0.1.0"
