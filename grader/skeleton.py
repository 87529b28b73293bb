"""The files `grader new` writes: a small problem set that passes `grader validate` as written.

One part of each common kind (integer, shape, matrix, expression, choice, text), each with a
written answer or a solver from the set's own `solvers.py`, misconceptions and question tests,
and a rubric for the text part. `set.yaml` has `{id}`, `{title}` and `{seed}` filled in.
"""

from __future__ import annotations

FILES: dict[str, str] = {}

FILES['set.yaml'] = r'''schema_version: 1
id: {id}
title: {title}
description: A problem set written with `grader new`; edit it, then run `grader validate .`
# Each student gets parameters of their own (from the set id, the student id and the seed).
variants:
  enabled: true
  seed: {seed}
# Python files of this set that register reference solvers with `@solver("name")`.
solvers: [solvers.py]
problems:
  - problem1.yaml
'''

FILES['problem1.yaml'] = r'''schema_version: 1
id: q1
title: A first problem
intro: One part of each common kind, each with its reference and its question tests.
parameters:
  H: {default: 32, vary: {choices: [28, 32, 48]}, description: input height and width}
  F: {default: 5, vary: {choices: [3, 5]}, description: filter size}
  K: {default: 6, vary: {range: [4, 8]}, description: number of filters}
  X:
    default: [[1, -2], [-3, 4]]
    vary: {matrix: {rows: 2, cols: 2, low: -4, high: 4, nonzero: true}}
parts:
  # An integer, written as a formula of the parameters (read with the grader's math parser).
  - id: q1.size
    prompt: A {F}x{F} convolution (stride 1, no padding) runs over a {H}x{H} image. How wide is the output?
    points: 1
    kind: integer
    answer: "H - F + 1"
    misconceptions:
      - id: forgot_plus_one
        answer: "H - F"
        feedback: Count the positions of the filter, the first one included.
    tests:
      - {answer: "{H}", status: incorrect}
      - {answer: "a few", status: invalid}

  # A shape, written as a list of formulas.
  - id: q1.shape
    prompt: The layer has {K} filters. Give the output shape (height x width x channels).
    points: 1
    kind: shape
    answer: "[H - F + 1, H - F + 1, K]"
    tests:
      - {answer: "{H}x{H}x{K}", status: incorrect}
      - {answer: "many", status: invalid}

  # A number computed by a solver of this set (solvers.py).
  - id: q1.params
    prompt: How many weights (biases included) does the layer have, on a 3-channel input?
    points: 1
    kind: integer
    solver: {name: q1.param_count, args: {kernel: $F, channels: 3, filters: $K}}
    misconceptions:
      - id: no_bias
        solver: {name: q1.param_count, args: {bias: false}}
        feedback: Each filter also has a bias.
    tests:
      - {answer: "0", status: incorrect}

  # A matrix computed with numpy by a solver of this set.
  - id: q1.relu
    prompt: Apply ReLU to the matrix {X}.
    points: 1
    kind: matrix
    solver: {name: q1.relu, args: {x: $X}}
    tests:
      - {answer: "[[9, 9], [9, 9]]", status: incorrect}
      - {answer: "[[1, 2], [3", status: invalid}

  # A formula in x, written as a student would write it.
  - id: q1.derivative
    prompt: Differentiate the sigmoid sigma(x) = 1 / (1 + exp(-x)).
    points: 1
    kind: expression
    options: {variables: {x: real}}
    answer: "sigma(x) * (1 - sigma(x))"
    misconceptions:
      - id: no_chain_rule
        answer: "exp(-x)"
        feedback: Differentiate 1 / u with u = 1 + exp(-x); the chain rule gives a square in the denominator.
    tests:
      - {answer: "exp(-x) / (1 + exp(-x))^2", status: correct}
      - {answer: "sigma(x)", status: incorrect}
      - {answer: "sigma(x", status: invalid}

  # One choice among several, shown in a different order to each student and graded by key.
  - id: q1.choice
    prompt: Which activation is zero for every negative input?
    points: 1
    kind: choice
    options:
      choices: {a: sigmoid, b: ReLU, c: tanh}
      shuffle: true
      feedback: {a: "The sigmoid is positive everywhere.", c: "tanh is negative for negative inputs."}
    answer: b
    tests:
      - {answer: b, status: correct}
      - {answer: c, status: incorrect, feedback_contains: negative}
      - {answer: d, status: invalid}

  # A short explanation graded with a rubric (rubrics/q1.explain.yaml).
  - id: q1.explain
    prompt: Why do convolutional layers need fewer weights than fully connected ones?
    points: 1
    kind: text
    options: {rubric: rubrics/q1.explain.yaml}
    tests:
      - {answer: "The same small filter is shared across all positions of the image, so weights are reused.", status: correct}
      - {answer: "Because they are faster to train on a GPU and use a better optimiser than dense layers.", status: incorrect}
'''

FILES['solvers.py'] = r'''"""Reference solvers of this problem set: pure functions of the variant's parameters."""

import numpy as np

from grader import solver


@solver("q1.param_count")
def param_count(kernel: int, channels: int, filters: int, bias: bool = True) -> int:
    """Weights of a convolution layer: one kernel x kernel x channels filter per output channel."""
    return filters * (kernel * kernel * channels + (1 if bias else 0))


@solver("q1.relu")
def relu(x: list[list[float]]) -> np.ndarray:
    """ReLU, entry by entry."""
    return np.maximum(np.asarray(x, dtype=float), 0.0)
'''

FILES['rubrics/q1.explain.yaml'] = r'''# A rubric: concepts worth points, the ways students say them, and misconceptions that cost points.
# Tune it on sample answers with: grader rubric-test . q1.explain samples.yaml
schema_version: 1
part: q1.explain
points: 1
review_threshold: 0.5
min_words: 4
max_words: 200

concepts:
  - id: weight_sharing
    points: 1
    label: one filter's weights are shared across every position of the image
    hint: think about how many times each weight of a filter is used
    any:
      - share*|reuse*|reused|same filter*|kernel*|weight*
      - slid*|every|all position*|location*|place*

misconceptions: []

model_answers:
  - The same small filter is shared across all positions of the image, so its weights are reused.
'''
