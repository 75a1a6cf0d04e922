"""lstm_course: the numpy code behind the "Training LSTMs" course.

One concept per module, one module per chapter:

- :mod:`lstm_course.activations` and :mod:`lstm_course.gradcheck`: shared tools;
- :mod:`lstm_course.mlp`: Chapter 1, backpropagation as a training algorithm;
- :mod:`lstm_course.rnn`: Chapters 2-3, unrolling and BPTT for the Elman RNN;
- :mod:`lstm_course.lstm`: Chapter 5, the LSTM cell with forget gate;
- :mod:`lstm_course.plots` and :mod:`lstm_course.widgets`: every figure and widget.
"""
__version__ = "0.1.0"
