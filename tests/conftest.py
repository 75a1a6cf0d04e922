"""Shared fixtures and hypothesis settings for the test suite."""
import matplotlib
import numpy as np
import pytest
from hypothesis import settings

matplotlib.use("Agg")

# Gradient checks are slow per example; a modest count still explores many shapes.
settings.register_profile("course", max_examples=25, deadline=None)
settings.load_profile("course")


@pytest.fixture
def rng():
    """A seeded generator, so every test is reproducible."""
    return np.random.default_rng(1234)
