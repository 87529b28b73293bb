"""The tutorial's convolution misconceptions: what a student who made each mistake would answer."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from grader import solver
from grader.solvers.conv import conv_output_shape, conv_output_spatial, conv_param_count, correlate2d, transpose_conv2d


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
