"""Convolution arithmetic, 2-D cross-correlation and transpose convolution (numpy, pure).

As in the tutorial, "convolution" means cross-correlation, and shapes are height x width x channels.
Each misconception is a solver too: what a student who made that mistake would answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from grader.solvers.registry import solver


def output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Spatial output size of a convolution: floor((size + 2*padding - kernel) / stride) + 1."""
    if kernel > size + 2 * padding:
        raise ValueError(f"a {kernel}-wide filter does not fit a padded input of {size + 2 * padding}")
    return (size + 2 * padding - kernel) // stride + 1


@solver("conv.output_shape")
def conv_output_shape(
    height: int, width: int, channels: int, kernel: int, stride: int = 1, padding: int = 0, filters: int = 1
) -> tuple[int, int, int]:
    """Output shape H' x W' x K of K filters of size kernel x kernel x channels."""
    del channels  # every filter spans all input channels, so the depth is the number of filters
    return (output_size(height, kernel, stride, padding), output_size(width, kernel, stride, padding), filters)


@solver("conv.output_spatial")
def conv_output_spatial(height: int, width: int, kernel: int, stride: int = 1, padding: int = 0) -> tuple[int, int]:
    """Spatial dimensions only (height x width) after a convolution."""
    return (output_size(height, kernel, stride, padding), output_size(width, kernel, stride, padding))


@solver("conv.spatial_after_pointwise")
def spatial_after_pointwise(height: int, width: int, kernel: int, stride: int = 1, padding: int = 0) -> tuple[int, int]:
    """Spatial dimensions after a convolution followed by a 1x1 convolution (stride 1, no padding)."""
    h, w = conv_output_spatial(height, width, kernel, stride, padding)
    return conv_output_spatial(h, w, 1)


@solver("conv.param_count")
def conv_param_count(kernel: int, channels: int, filters: int, bias: bool = False) -> int:
    """Number of parameters of `filters` filters of size kernel x kernel x channels."""
    return kernel * kernel * channels * filters + (filters if bias else 0)


# --- misconceptions about convolution arithmetic -------------------------------------------


# --- 2-D cross-correlation and transpose convolution ----------------------------------------


def correlate2d(x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0) -> np.ndarray:
    """2-D cross-correlation (what deep-learning libraries call convolution)."""
    x = np.pad(np.asarray(x, dtype=float), padding)
    kernel = np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    oh = (x.shape[0] - kh) // stride + 1
    ow = (x.shape[1] - kw) // stride + 1
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw))[::stride, ::stride][:oh, :ow]
    out: np.ndarray = np.einsum("ijkl,kl->ij", windows, kernel)
    return out


def transpose_conv2d(x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Transpose convolution: each input entry scatters a scaled copy of the kernel.

    Output size is (n - 1) * stride + k - 2 * padding, the padding being cropped off the border.
    """
    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    full = np.zeros(((x.shape[0] - 1) * stride + kh, (x.shape[1] - 1) * stride + kw))
    for (i, j), value in np.ndenumerate(x):
        full[i * stride : i * stride + kh, j * stride : j * stride + kw] += value * kernel
    if padding:
        full = full[padding:-padding, padding:-padding]
    return full


@solver("conv.transpose")
def transpose_conv(x: Sequence[Sequence[float]], kernel: Sequence[Sequence[float]], stride: int = 1, padding: int = 0) -> np.ndarray:
    """The output of a single-channel transpose convolution layer."""
    return transpose_conv2d(np.asarray(x), np.asarray(kernel), stride, padding)






