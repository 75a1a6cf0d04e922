"""Training: optimisers and gradient clipping (``optim``), the training loop of Chapter 3 (``fit``), stateful training
that carries the state from batch to batch (``stateful``), the coefficient of determination (``metrics``), the
character model's streaming training (``charlm_training``) and, in ``tbptt/``, truncated backpropagation through
time, whose engine ``stateful`` and ``charlm_training`` drive. ``train/`` imports ``nn/``, ``models/``, ``data/`` and
the root infrastructure.
"""
