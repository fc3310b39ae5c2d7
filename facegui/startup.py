"""Python's cyclic garbage collector held back while the program starts.

Starting a command makes some 60,000 objects that live as long as the process: modules, classes,
the native libraries' bindings, the settings, the model sessions. With the default threshold the
collector walks them about 90 times before `identify` of one photo reads its photo, to free some
650 objects of start-up's own cyclic leftovers in all: about 9 ms of a cold start
(docs/benchmarks.md, "Start-up"). So the program raises the collector's first threshold while it
starts (it still runs, should a command allocate that much before its start-up ends) and, once the
models are open or the window is about to open, moves what start-up made out of every later
collection (``gc.freeze``) and sets the threshold back. Those few hundred leftovers then stay for
the life of the process: a one-off, not a leak that grows (the peak memory of `identify` is
unchanged at 140 MiB).
"""
from __future__ import annotations

import gc

START_UP_THRESHOLD = 100_000
"""Net new container objects between two young-generation collections during start-up (Python's
default is 700): above what opening the models and the gallery makes, so none runs before."""

_paused_thresholds: tuple[int, ...] | None = None


def hold_back_collector() -> None:
    """Called first thing by the program: no young-generation collection during start-up."""
    global _paused_thresholds
    if _paused_thresholds is None:
        _paused_thresholds = gc.get_threshold()
        gc.set_threshold(START_UP_THRESHOLD, *_paused_thresholds[1:])


def start_up_done() -> None:
    """Start-up is over: what it made stays out of later collections, and the collector's own
    thresholds come back. Does nothing unless ``hold_back_collector`` ran (tests, library use)."""
    global _paused_thresholds
    if _paused_thresholds is not None:
        gc.freeze()
        gc.set_threshold(*_paused_thresholds)
        _paused_thresholds = None


def collector_held_back() -> bool:
    return _paused_thresholds is not None
