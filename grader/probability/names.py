"""Distributions of the latent variable model called by name ("the approximate posterior").

A student asked which distribution z is sampled from may answer with a formula or with a name;
each name here stands for one density of the model.
"""

from __future__ import annotations

import re

from grader.probability.nodes import Dist, Var

_Q = Dist("q", (Var("z"),), (Var("x"),), "q")
_PRIOR = Dist("p", (Var("z"),), (), "p")
_POSTERIOR = Dist("p", (Var("z"),), (Var("x"),), "p")
_LIKELIHOOD = Dist("p", (Var("x"),), (Var("z"),), "p")

NAMED: dict[str, Dist] = {
    "approximate posterior": _Q,
    "approximated posterior": _Q,
    "variational posterior": _Q,
    "variational distribution": _Q,
    "variational approximation": _Q,
    "posterior approximation": _Q,
    "approximation of the posterior": _Q,
    "encoder": _Q,
    "encoder distribution": _Q,
    "recognition model": _Q,
    "inference network": _Q,
    "inference model": _Q,
    "prior": _PRIOR,
    "latent prior": _PRIOR,
    "prior distribution": _PRIOR,
    "standard normal": _PRIOR,
    "true posterior": _POSTERIOR,
    "exact posterior": _POSTERIOR,
    "posterior": _POSTERIOR,
    "decoder": _LIKELIHOOD,
    "likelihood": _LIKELIHOOD,
}

_NORMAL_PRIOR = re.compile(r"(?<![a-z])(?:\\mathcal\s*\{\s*n\s*\}|n)\s*\(\s*0\s*,\s*(?:i|1)\s*\)")


def find_name(text: str) -> tuple[Dist, str] | None:
    """The density named in the text (the longest name found) and the name, or None."""
    lower = " " + re.sub(r"[\s\-]+", " ", text.lower()) + " "
    if _NORMAL_PRIOR.search(lower):
        return _PRIOR, "N(0, I)"
    for name in sorted(NAMED, key=len, reverse=True):
        if re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", lower):
            if name == "posterior" and re.search(r"(approximat|variational)\w*\s+posterior", lower):
                continue
            return NAMED[name], name
    return None


def strip_words(text: str) -> str:
    """The text without the names and the filler words around a formula."""
    out = text
    for name in sorted(NAMED, key=len, reverse=True):
        out = re.sub(rf"(?i)(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", " ", out)
    return out
