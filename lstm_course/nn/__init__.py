"""The layers: the activations (``activations``), the recurrent cells with each forward pass beside its backward pass
(the Elman RNN ``rnn``, the LSTM ``lstm`` with its time-major fast path ``_lstm_time_major``, private to ``lstm``,
and the 1997 LSTM ``lstm1997``), the table of cells that cell-generic code looks up (``cells``) and the numerical
gradient check (``gradcheck``). ``nn/`` imports only the root infrastructure (``lstm_course._validation``), never
another folder.
"""
