"""Models built from the layers of ``nn/``: a recurrent layer and a linear readout with its loss and gradients, the
sequence model of Chapters 3 to 7 and 9 (``recurrent``), the least-squares AR(p) baseline it is judged against in
Chapter 3 (``autoregression``), the character language model of Chapter 8 (``charlm``) and the n-gram baselines it is
judged against (``ngram``), R LSTM models trained at once (``ensemble``) and the multilayer perceptron of Chapter 1
(``mlp``). ``models/`` imports ``nn/`` and the root infrastructure.
"""
