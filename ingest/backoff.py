"""Capped exponential backoff between reconnection attempts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before retry n (0-based) is `min(cap_s, initial_s * factor**n)`.

    Defaults suit a street camera on a flaky link: retry after 1 s, then 2, 4, ... never waiting
    more than 30 s, so a rebooted camera is picked up within half a minute of returning.
    """

    initial_s: float = 1.0
    factor: float = 2.0
    cap_s: float = 30.0

    def __post_init__(self) -> None:
        if self.initial_s < 0 or self.cap_s < 0:
            raise ValueError("backoff delays must be >= 0")
        if self.factor < 1:
            raise ValueError(f"backoff factor must be >= 1, got {self.factor}")

    def delay(self, retry: int) -> float:
        if retry < 0:
            raise ValueError(f"retry number must be >= 0, got {retry}")
        # Step up to the cap instead of computing factor**retry, which overflows in a long outage.
        delay = self.initial_s
        for _ in range(retry):
            delay *= self.factor
            if delay >= self.cap_s:
                return self.cap_s
        return min(delay, self.cap_s)
