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


@solver("conv.mistake.depth_is_input_channels")
def depth_is_input_channels(
    height: int, width: int, channels: int, kernel: int, stride: int = 1, padding: int = 0, filters: int = 1
) -> tuple[int, int, int]:
    """Keeps the input depth, as if each filter worked on one channel at a time."""
    h, w, _ = conv_output_shape(height, width, channels, kernel, stride, padding, filters)
    return (h, w, channels)


@solver("conv.mistake.off_by_one_small")
def off_by_one_small(
    height: int, width: int, channels: int, kernel: int, stride: int = 1, padding: int = 0, filters: int = 1
) -> tuple[int, int, int]:
    """Forgets the +1 in (n + 2p - f)/s + 1."""
    h, w, k = conv_output_shape(height, width, channels, kernel, stride, padding, filters)
    return (h - 1, w - 1, k)


@solver("conv.mistake.off_by_one_large")
def off_by_one_large(
    height: int, width: int, channels: int, kernel: int, stride: int = 1, padding: int = 0, filters: int = 1
) -> tuple[int, int, int]:
    """Subtracts f - 2 instead of f - 1 (counts one position too many)."""
    h, w, k = conv_output_shape(height, width, channels, kernel, stride, padding, filters)
    return (h + 1, w + 1, k)


@solver("conv.mistake.padding_once")
def padding_once(
    height: int, width: int, channels: int, kernel: int, stride: int = 1, padding: int = 0, filters: int = 1
) -> tuple[int, int, int]:
    """Adds the padding on one side only."""
    size = lambda n: (n + padding - kernel) // stride + 1  # noqa: E731
    return (size(height), size(width), filters)


@solver("conv.mistake.padding_ignored")
def padding_ignored(
    height: int, width: int, channels: int, kernel: int, stride: int = 1, padding: int = 0, filters: int = 1
) -> tuple[int, int, int]:
    """Ignores the padding altogether."""
    return conv_output_shape(height, width, channels, kernel, stride, 0, filters)


@solver("conv.mistake.same_size")
def same_size(
    height: int, width: int, channels: int, kernel: int, stride: int = 1, padding: int = 0, filters: int = 1
) -> tuple[int, int, int]:
    """Keeps the input's spatial size, as if the convolution were padded to 'same'."""
    del channels, kernel, stride, padding
    return (height, width, filters)


@solver("conv.mistake.single_filter_depth")
def single_filter_depth(
    height: int, width: int, channels: int, kernel: int, stride: int = 1, padding: int = 0, filters: int = 1
) -> tuple[int, int, int]:
    """Stacked filters but a depth of 1, as if their outputs were summed."""
    h, w, _ = conv_output_shape(height, width, channels, kernel, stride, padding, filters)
    return (h, w, 1)


@solver("conv.mistake.spatial_collapses")
def spatial_collapses(pointwise: int = 1) -> tuple[int, int]:
    """Thinks a 1x1 convolution leaves a 1x1 output."""
    return (pointwise, pointwise)


@solver("conv.mistake.pointwise_padded_again")
def pointwise_padded_again(height: int, width: int, kernel: int, stride: int = 1, padding: int = 0) -> tuple[int, int]:
    """Pads the input of the 1x1 convolution again, which makes it grow."""
    h, w = conv_output_spatial(height, width, kernel, stride, padding)
    return conv_output_spatial(h, w, 1, 1, padding)


@solver("conv.mistake.pointwise_shrinks")
def pointwise_shrinks(height: int, width: int, kernel: int, stride: int = 1, padding: int = 0) -> tuple[int, int]:
    """Subtracts the previous filter's size again, as if the 1x1 convolution shrank the image."""
    h, w = conv_output_spatial(height, width, kernel, stride, padding)
    return (h - kernel + 1, w - kernel + 1)


@solver("conv.mistake.params_without_channels")
def params_without_channels(kernel: int, channels: int, filters: int) -> int:
    """Counts kernel*kernel weights per filter, forgetting the filter spans every channel."""
    del channels
    return kernel * kernel * filters


@solver("conv.mistake.params_with_bias")
def params_with_bias(kernel: int, channels: int, filters: int) -> int:
    """Counts one bias per filter although the question excludes biases."""
    return conv_param_count(kernel, channels, filters, bias=True)


@solver("conv.mistake.params_one_filter")
def params_one_filter(kernel: int, channels: int, filters: int) -> int:
    """Counts the parameters of a single filter."""
    del filters
    return conv_param_count(kernel, channels, 1)


@solver("conv.mistake.params_output_volume")
def params_output_volume(height: int, width: int, kernel: int, padding: int, filters: int) -> int:
    """Counts the output activations instead of the weights."""
    h, w = conv_output_spatial(height, width, kernel, 1, padding)
    return h * w * filters


# --- 2-D cross-correlation and transpose convolution ----------------------------------------


def correlate2d(x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0) -> np.ndarray:
    """2-D cross-correlation (what deep-learning libraries call convolution)."""
    x = np.pad(np.asarray(x, dtype=float), padding)
    kernel = np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    oh = (x.shape[0] - kh) // stride + 1
    ow = (x.shape[1] - kw) // stride + 1
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw))[::stride, ::stride][:oh, :ow]
    return np.einsum("ijkl,kl->ij", windows, kernel)


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


@solver("conv.mistake.transpose_as_convolution")
def transpose_as_convolution(x: Sequence[Sequence[float]], kernel: Sequence[Sequence[float]], stride: int = 1, padding: int = 0) -> np.ndarray:
    """Computes an ordinary (valid) cross-correlation instead of the transpose convolution."""
    return correlate2d(np.asarray(x), np.asarray(kernel), stride, padding)


@solver("conv.mistake.transpose_kernel_flipped")
def transpose_kernel_flipped(x: Sequence[Sequence[float]], kernel: Sequence[Sequence[float]], stride: int = 1, padding: int = 0) -> np.ndarray:
    """Scatters the kernel rotated by 180 degrees (a full cross-correlation)."""
    return transpose_conv2d(np.asarray(x), np.rot90(np.asarray(kernel), 2), stride, padding)


@solver("conv.mistake.transpose_elementwise")
def transpose_elementwise(x: Sequence[Sequence[float]], kernel: Sequence[Sequence[float]], stride: int = 1, padding: int = 0) -> np.ndarray:
    """Multiplies input and kernel entry by entry."""
    inputs, weights = np.asarray(x, dtype=float), np.asarray(kernel, dtype=float)
    if inputs.shape != weights.shape:
        raise ValueError("the elementwise mistake needs input and kernel of the same shape")
    return inputs * weights
