"""What a station at a door says to the person in front of it: "checked in", or "already checked in at 08:02".

A new check-in (from the attendance service) is always confirmed. Someone already checked in today is
told so once when they come back into view: when their name holds on fresh embeddings with the same
thresholds the check-in vote uses (``checkin_min_hits`` of the last ``checkin_window`` fresh frames, one
at or above ``checkin_min_similarity``), so a passing resemblance never shows a name in large letters.
While they stay in view nothing is repeated; after ``REAPPEAR_S`` out of view they are greeted again.

Plain Python, fed from the GUI thread with each shown frame's faces. Only fresh embeddings vote; a frame
in which the tracker holds the name keeps the vote standing, as in the attendance recorder.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..config import Settings

REAPPEAR_S = 20.0
"""Seconds out of view (no confirming frame) after which someone already checked in is told so again."""


@dataclass(frozen=True)
class SeenFace:
    """What the greeting needs of one face of a frame."""

    name: str
    similarity: float
    is_known: bool
    fresh: bool
    """Embedded in this frame (a name the tracker only holds is no new evidence)."""


@dataclass(frozen=True)
class Greeting:
    name: str
    at: datetime
    """The check-in's time: now for a new one, the earlier one for "already checked in"."""
    already: bool
    snapshot: Path | None = None

    @property
    def headline(self) -> str:
        return f"Already checked in at {self.at:%H:%M}" if self.already else "Checked in"


class Greeter:
    def __init__(self, settings: Callable[[], Settings], checked_in_at: Callable[[str], datetime | None],
                 reappear_s: float = REAPPEAR_S):
        self._settings = settings
        """Read on every frame: the current settings' thresholds apply at once."""
        self._checked_in_at = checked_in_at
        """A person's first check-in of today, or None."""
        self.reappear_s = reappear_s
        self._votes: dict[str, deque] = {}
        self._last_confirmed: dict[str, datetime] = {}

    def reset(self) -> None:
        """A new stream: nothing seen yet."""
        self._votes.clear()
        self._last_confirmed.clear()

    def check_in(self, name: str, at: datetime, snapshot: Path | None = None) -> Greeting:
        self._last_confirmed[name] = at
        return Greeting(name, at, already=False, snapshot=snapshot)

    def frame(self, faces: Iterable[SeenFace], now: datetime) -> list[Greeting]:
        settings = self._settings()
        in_view: set[str] = set()
        fresh: dict[str, float] = {}
        for face in faces:
            if face.is_known:
                in_view.add(face.name)
                if face.fresh:
                    fresh[face.name] = max(face.similarity, fresh.get(face.name, -1.0))
        if not in_view and not self._votes:
            return []
        for name in list(self._votes):
            if name not in in_view:  # a frame without them is a miss; a name the tracker holds is not
                self._votes[name].append(None)
                if all(v is None for v in self._votes[name]):
                    del self._votes[name]
        greetings = []
        for name in in_view:
            votes = self._votes.get(name)
            if name in fresh:
                if votes is None or votes.maxlen != settings.checkin_window:
                    votes = self._votes[name] = deque(votes or (), maxlen=settings.checkin_window)
                votes.append(fresh[name])
            if votes is None:
                continue
            hits = [v for v in votes if v is not None]
            if len(hits) < settings.checkin_min_hits or max(hits) < settings.checkin_min_similarity:
                continue
            last = self._last_confirmed.get(name)
            self._last_confirmed[name] = now
            if last is not None and (now - last).total_seconds() < self.reappear_s:
                continue
            earlier = self._checked_in_at(name)
            if earlier is not None:  # not yet checked in: the attendance service's check-in greets them
                greetings.append(Greeting(name, earlier, already=True))
        return greetings
