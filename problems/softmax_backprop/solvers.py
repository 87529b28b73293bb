"""Reference solvers of the softmax and backpropagation set, computed with numpy.

Conventions: logits and probabilities are row vectors (1 x C); the label is a class number from
1 to C; the network is h = ReLU(W1 x), o = W2 h, p = softmax(o), L = -log p_y, with x a column.
Every misconception is computed the way a student who made that mistake would compute it.
"""

from __future__ import annotations

import numpy as np

from grader import solver


def _row(values) -> np.ndarray:
    return np.asarray(values, dtype=float).reshape(1, -1)


def softmax_of(logits) -> np.ndarray:
    z = _row(logits)
    e = np.exp(z - z.max())  # shifted by the largest logit: the same value, no overflow
    return e / e.sum()


def one_hot(label: int, size: int) -> np.ndarray:
    y = np.zeros((1, size))
    y[0, int(label) - 1] = 1.0
    return y


# --- softmax and cross-entropy -------------------------------------------------------------------


@solver("softmax.probabilities")
def probabilities(logits) -> np.ndarray:
    return softmax_of(logits)


@solver("softmax.mistake.no_normalisation")
def no_normalisation(logits) -> np.ndarray:
    return np.exp(_row(logits))


@solver("softmax.mistake.normalised_logits")
def normalised_logits(logits) -> np.ndarray:
    z = _row(logits)
    with np.errstate(divide="ignore", invalid="ignore"):  # logits summing to 0: no such answer
        return z / z.sum()


@solver("softmax.label_probability")
def label_probability(logits, label: int) -> float:
    return float(softmax_of(logits)[0, int(label) - 1])


@solver("softmax.mistake.largest_probability")
def largest_probability(logits, label: int) -> float:
    del label
    return float(softmax_of(logits).max())


@solver("xent.loss")
def loss(logits, label: int) -> float:
    return float(-np.log(label_probability(logits, label)))


@solver("xent.mistake.log10")
def loss_log10(logits, label: int) -> float:
    return float(-np.log10(label_probability(logits, label)))


@solver("xent.mistake.no_minus")
def loss_no_minus(logits, label: int) -> float:
    return float(np.log(label_probability(logits, label)))


@solver("xent.gradient")
def gradient(logits, label: int) -> np.ndarray:
    p = softmax_of(logits)
    return p - one_hot(label, p.shape[1])


@solver("xent.mistake.y_minus_p")
def y_minus_p(logits, label: int) -> np.ndarray:
    return -gradient(logits, label)


@solver("xent.mistake.probabilities_only")
def probabilities_only(logits, label: int) -> np.ndarray:
    del label
    return softmax_of(logits)


# --- the two-layer network ---------------------------------------------------------------------------


def _forward(w1, x, w2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    pre = np.asarray(w1, dtype=float) @ np.asarray(x, dtype=float)
    hidden = np.maximum(pre, 0.0)
    out = np.asarray(w2, dtype=float) @ hidden
    return pre, hidden, out, softmax_of(out.ravel())


@solver("mlp.hidden")
def hidden(w1, x) -> np.ndarray:
    return np.maximum(np.asarray(w1, dtype=float) @ np.asarray(x, dtype=float), 0.0)


@solver("mlp.mistake.no_relu")
def hidden_no_relu(w1, x) -> np.ndarray:
    return np.asarray(w1, dtype=float) @ np.asarray(x, dtype=float)


@solver("mlp.logits")
def logits(w1, x, w2) -> np.ndarray:
    return _forward(w1, x, w2)[2]


@solver("mlp.mistake.logits_without_relu")
def logits_without_relu(w1, x, w2) -> np.ndarray:
    pre = _forward(w1, x, w2)[0]
    return np.asarray(w2, dtype=float) @ pre


@solver("mlp.grad_w2")
def grad_w2(w1, x, w2, label: int) -> np.ndarray:
    _, h, _, p = _forward(w1, x, w2)
    delta = (p - one_hot(label, p.shape[1])).reshape(-1, 1)
    return delta @ h.reshape(1, -1)


@solver("mlp.mistake.grad_w2_sign")
def grad_w2_sign(w1, x, w2, label: int) -> np.ndarray:
    return -grad_w2(w1, x, w2, label)


@solver("mlp.mistake.grad_w2_preactivation")
def grad_w2_preactivation(w1, x, w2, label: int) -> np.ndarray:
    pre, _, _, p = _forward(w1, x, w2)
    delta = (p - one_hot(label, p.shape[1])).reshape(-1, 1)
    return delta @ pre.reshape(1, -1)


@solver("mlp.grad_hidden")
def grad_hidden(w1, x, w2, label: int) -> np.ndarray:
    _, _, _, p = _forward(w1, x, w2)
    delta = (p - one_hot(label, p.shape[1])).reshape(-1, 1)
    return np.asarray(w2, dtype=float).T @ delta


@solver("mlp.mistake.grad_hidden_masked")
def grad_hidden_masked(w1, x, w2, label: int) -> np.ndarray:
    pre = _forward(w1, x, w2)[0]
    return grad_hidden(w1, x, w2, label) * (pre > 0)


@solver("mlp.grad_preactivation")
def grad_preactivation(w1, x, w2, label: int) -> np.ndarray:
    return grad_hidden_masked(w1, x, w2, label)


@solver("mlp.mistake.grad_preactivation_unmasked")
def grad_preactivation_unmasked(w1, x, w2, label: int) -> np.ndarray:
    return grad_hidden(w1, x, w2, label)
