"""Evidence for one entry: strengths combined as a noisy-OR, with the reasons behind them."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_STRENGTH = 0.995  # no one signal is certain: the noisy-OR never reaches 1


@dataclass
class Evidence:
    strengths: list[float] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    strong: bool = False  # a key, symbol, pattern or phrase matched (not only words)

    def add(self, strength: float, reason: str, strong: bool = True) -> None:
        self.strengths.append(min(max(strength, 0.0), MAX_STRENGTH))
        self.why.append(reason)
        self.strong = self.strong or strong

    def confidence(self) -> float:
        miss = 1.0
        for s in self.strengths:
            miss *= 1.0 - s
        return 1.0 - miss


def confidence_of_one(strength: float) -> float:
    """The confidence of an entry whose only evidence is ``strength``.

    ``confidence()``'s of that one strength, by the same operations (``miss = 1.0 * (1.0 - s)``
    is ``1.0 - s`` exactly), without an Evidence object per entry.
    """
    return 1.0 - (1.0 - min(max(strength, 0.0), MAX_STRENGTH))
