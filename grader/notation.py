"""The names of a problem set's latent-variable model: observed and latent variables, the model's
densities and the approximation. The tutorial's (x, z, p, q) are the default; a set may declare
its own in `set.yaml` (`probability: {observed: y, latent: h, model: p, approximation: r}`).

Student text is read with the set's names and judged in one canonical model (x, z, p, q), and
feedback shows the set's names again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

CANONICAL = {"observed": "x", "latent": "z", "model": "p", "approximation": "q"}
# Words the notation already gives a meaning to (expectation, entropy, labels, sizes, the data index).
RESERVED = frozenset({"E", "H", "L", "J", "N", "K", "d", "i", "e", "KL", "log", "ln", "exp", "sum", "int"})


@dataclass(frozen=True)
class Notation:
    observed: str = "x"
    latent: str = "z"
    model: str = "p"
    approximation: str = "q"

    def __post_init__(self) -> None:
        names = [self.observed, self.latent, self.model, self.approximation]
        for role, name in zip(CANONICAL, names, strict=True):
            if not (len(name) == 1 and name.isascii() and name.isalpha()) or name in RESERVED:
                raise ValueError(f"probability.{role}: {name!r} must be one letter, not one of E H L J N K d i e")
        if len(set(names)) != len(names):
            raise ValueError("probability: the observed and latent variables and the two densities need four different letters")

    @property
    def is_default(self) -> bool:
        return self == DEFAULT

    def _to_canonical(self) -> dict[str, str]:
        return {getattr(self, role): canon for role, canon in CANONICAL.items()}

    def read(self, word: str) -> str:
        """A word of student text in the canonical model's names; a canonical name the set renamed
        raises ValueError naming the set's letter."""
        if self.is_default:
            return word
        mapping = self._to_canonical()
        if word in mapping:
            return mapping[word]
        if word.lower() in mapping and word.lower() in ("p", "q") and word.lower() != word:
            return mapping[word.lower()].upper()
        renamed = {canon: mine for mine, canon in mapping.items() if mine != canon}
        if word in renamed:
            raise ValueError(f"this problem set writes {renamed[word]!r}, not {word!r}")
        return word

    def show(self, canonical: str) -> str:
        """A canonical name as the set writes it."""
        if self.is_default:
            return canonical
        for role, canon in CANONICAL.items():
            if canonical == canon:
                shown: str = getattr(self, role)
                return shown
        return canonical


DEFAULT = Notation()
_CURRENT: ContextVar[Notation] = ContextVar("_CURRENT", default=DEFAULT)


def current() -> Notation:
    return _CURRENT.get()


@contextmanager
def using_notation(notation: Notation | None) -> Iterator[None]:
    """Read and show probability notation with these names inside the block."""
    token = _CURRENT.set(notation or DEFAULT)
    try:
        yield
    finally:
        _CURRENT.reset(token)
