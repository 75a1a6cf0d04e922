"""The layers: the activations (``activations``), the recurrent cells with each forward pass beside its backward pass
(the Elman RNN ``rnn``, the LSTM ``lstm`` with its kernels ``_lstm_kernels``, the equations written once and the
time-major loops that run them, private to ``nn/``,
and the 1997 LSTM ``lstm1997``), the table of cells that cell-generic code looks up (``cells``), the linear readout
with its losses, squared error and softmax cross-entropy, as heads a training loop calls (``readout``) and the
numerical gradient check (``gradcheck``). ``nn/`` imports only the root infrastructure (``lstm_course._validation``),
never another folder.
"""
