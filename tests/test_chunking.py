import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_course.data import chunking


def test_as_samples_adds_feature_axis_and_keeps_3d():
    assert chunking.as_samples(np.zeros((100, 25))).shape == (100, 25, 1)
    assert chunking.as_samples(np.zeros((4, 7, 3)), timesteps=7).shape == (4, 7, 3)


def test_as_samples_rejects_cutting():
    with pytest.raises(ValueError, match="split_subsequences"):
        chunking.as_samples(np.zeros((4, 7)), timesteps=5)
    with pytest.raises(ValueError, match="series must have shape"):
        chunking.as_samples(np.zeros(7))


def test_split_subsequences_keeps_each_sequence_consecutive():
    X = np.arange(2 * 6, dtype=float).reshape(2, 6, 1)
    chunks = chunking.split_subsequences(X, 3)
    np.testing.assert_array_equal(chunks[..., 0], [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]])


def test_split_subsequences_pads_and_masks_when_asked():
    X = np.arange(1, 8, dtype=float).reshape(1, 7, 1)
    chunks, mask = chunking.split_subsequences(X, 3, pad=True)
    np.testing.assert_array_equal(chunks[..., 0], [[1, 2, 3], [4, 5, 6], [7, 0, 0]])
    np.testing.assert_array_equal(mask, [[1, 1, 1], [1, 1, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="pad=True"):
        chunking.split_subsequences(X, 3)


@settings(max_examples=25, deadline=None)
@given(groups=st.integers(1, 3), batch_size=st.integers(1, 4), n_chunks=st.integers(1, 5))
def test_stateful_order_continues_every_slot(groups, batch_size, n_chunks):
    N = groups * batch_size
    sequence, chunk = chunking.stateful_sample_index(N, n_chunks, batch_size)
    batches_seq = sequence.reshape(-1, batch_size)
    batches_chunk = chunk.reshape(-1, batch_size)
    for b in range(1, len(batches_seq)):
        if b % n_chunks:  # no reset: slot i continues the same sequence, one chunk later
            np.testing.assert_array_equal(batches_seq[b], batches_seq[b - 1])
            np.testing.assert_array_equal(batches_chunk[b], batches_chunk[b - 1] + 1)
        else:  # reset: new sequences start at chunk 0
            assert np.all(batches_chunk[b] == 0)
            assert not set(batches_seq[b]) & set(batches_seq[:b].ravel())
    # every (sequence, chunk) pair appears exactly once
    assert len(set(zip(sequence, chunk))) == N * n_chunks


def test_stateful_batches_yield_resets_and_shapes():
    X = np.arange(4 * 6, dtype=float).reshape(4, 6, 1)
    out = list(chunking.stateful_batches(X, 2 * X, timesteps=2, batch_size=2))
    assert [reset for _, _, reset in out] == [True, False, False, True, False, False]
    xb, yb, _ = out[1]
    assert xb.shape == (2, 2, 1)
    np.testing.assert_array_equal(xb[:, :, 0], [[2, 3], [8, 9]])
    np.testing.assert_array_equal(yb, 2 * xb)


def test_stateful_batches_reject_bad_sizes():
    X = np.zeros((5, 6, 1))
    with pytest.raises(ValueError, match="not a multiple of batch_size=2.*Options"):
        list(chunking.stateful_batches(X, X, timesteps=3, batch_size=2))
    with pytest.raises(ValueError, match="timesteps=4 must divide"):
        list(chunking.stateful_batches(X, X, timesteps=4, batch_size=5))
