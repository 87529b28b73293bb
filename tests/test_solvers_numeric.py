"""The numeric solvers against independent brute-force definitions on random inputs."""

from __future__ import annotations

import numpy as np
import pytest

from grader.solvers import conv
from grader.solvers.activations import relu_backward, relu_forward

RNG_SEEDS = range(50)


def brute_output_size(n: int, f: int, s: int, p: int) -> int:
    """Count the window positions one by one."""
    count, start = 0, 0
    while start + f <= n + 2 * p:
        count, start = count + 1, start + s
    return count


def brute_correlate(x: np.ndarray, k: np.ndarray, s: int, p: int) -> np.ndarray:
    xp = np.zeros((x.shape[0] + 2 * p, x.shape[1] + 2 * p))
    xp[p : p + x.shape[0], p : p + x.shape[1]] = x
    oh, ow = brute_output_size(x.shape[0], k.shape[0], s, p), brute_output_size(x.shape[1], k.shape[1], s, p)
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            total = 0.0
            for a in range(k.shape[0]):
                for b in range(k.shape[1]):
                    total += xp[i * s + a, j * s + b] * k[a, b]
            out[i, j] = total
    return out


def brute_transpose(x: np.ndarray, k: np.ndarray, s: int, p: int) -> np.ndarray:
    """Transpose convolution as the adjoint of correlation: <T(x), y> = <x, C(y)> for all y."""
    oh = (x.shape[0] - 1) * s + k.shape[0] - 2 * p
    ow = (x.shape[1] - 1) * s + k.shape[1] - 2 * p
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            basis = np.zeros((oh, ow))
            basis[i, j] = 1.0
            out[i, j] = np.sum(x * brute_correlate(basis, k, s, p))
    return out


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_output_shape_and_params_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, w, c = (int(v) for v in rng.integers(5, 40, size=3))
    f, s, p, k = int(rng.integers(1, 6)), int(rng.integers(1, 4)), int(rng.integers(0, 4)), int(rng.integers(1, 20))
    shape = conv.conv_output_shape(n, w, c, f, s, p, k)
    assert shape == (brute_output_size(n, f, s, p), brute_output_size(w, f, s, p), k)
    weights = np.zeros((k, f, f, c))
    assert conv.conv_param_count(f, c, k) == weights.size
    assert conv.conv_param_count(f, c, k, bias=True) == weights.size + k


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_correlate2d_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=tuple(rng.integers(4, 9, size=2)))
    k = rng.normal(size=tuple(rng.integers(1, 4, size=2)))
    s, p = int(rng.integers(1, 3)), int(rng.integers(0, 3))
    np.testing.assert_allclose(conv.correlate2d(x, k, s, p), brute_correlate(x, k, s, p))


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_transpose_conv_is_the_adjoint_of_correlation(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=tuple(rng.integers(1, 5, size=2)))
    k = rng.normal(size=tuple(rng.integers(1, 4, size=2)))
    s = int(rng.integers(1, 3))
    p = int(rng.integers(0, min(k.shape) // 2 + 1)) if min(k.shape) > 1 else 0
    np.testing.assert_allclose(conv.transpose_conv2d(x, k, s, p), brute_transpose(x, k, s, p), atol=1e-12)


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_relu_forward_and_backward_match_definitions(seed):
    rng = np.random.default_rng(seed)
    x, dy = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    forward = relu_forward(x)
    backward = relu_backward(x, dy)
    for (i, j), v in np.ndenumerate(x):
        assert forward[i, j] == (v if v > 0 else 0.0)
        assert backward[i, j] == (dy[i, j] if v > 0 else 0.0)
    # The backward pass is the gradient of sum(dy * relu(x)): check by finite differences.
    eps = 1e-6
    for (i, j), v in np.ndenumerate(x):
        if abs(v) > 1e-3:
            bumped = x.copy()
            bumped[i, j] += eps
            numeric = (np.sum(dy * relu_forward(bumped)) - np.sum(dy * forward)) / eps
            assert numeric == pytest.approx(backward[i, j], abs=1e-5)


def test_filter_that_does_not_fit_is_refused():
    with pytest.raises(ValueError):
        conv.output_size(3, 7, 1, 0)
