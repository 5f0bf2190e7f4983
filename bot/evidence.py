"""Evidence for one entry: strengths combined as a noisy-OR, with the reasons behind them."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_STRENGTH = 0.995  # no one signal is certain: the noisy-OR never reaches 1


def _bounded(strength: float) -> float:
    return min(max(strength, 0.0), MAX_STRENGTH)


@dataclass
class Evidence:
    strengths: list[float] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    strong: bool = False  # a key, symbol, pattern or phrase matched (not only words)

    def add(self, strength: float, reason: str, strong: bool = True) -> None:
        self.strengths.append(_bounded(strength))
        self.why.append(reason)
        self.strong = self.strong or strong

    @classmethod
    def of_one(cls, strength: float, reason: str) -> Evidence:
        """Evidence of one weak (not strong) reason: ``Evidence().add(strength, reason, False)``."""
        return cls([_bounded(strength)], [reason])

    def count_each_reason_once(self) -> None:
        """Keeps one strength per reason (the last one added), in the order the reasons first came:
        a long log may give one entry the same reason many times, and it counts once."""
        if len(self.why) > 1:
            pairs = dict(zip(self.why, self.strengths, strict=True))
            self.why, self.strengths = list(pairs), list(pairs.values())

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
