"""Training: optimisers and gradient clipping (``optim``), the training loop of Chapter 3 (``fit``), stateful training
that carries the state from batch to batch (``stateful``), the coefficient of determination (``metrics``), the
character model's streaming training (``charlm_training``) and, in ``tbptt/``, truncated backpropagation through
time. ``train/`` imports ``nn/``, ``models/``, ``data/`` and the root infrastructure, with one exception:
``charlm_training`` measures a batch's activation memory with ``lab/unrolling.activation_bytes``.
"""
