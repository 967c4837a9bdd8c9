"""What every long-running `toimintamalli` process shares: SIGTERM stops it as Ctrl-C does."""

from __future__ import annotations

import signal
from types import FrameType


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def stop_on_sigterm() -> None:
    """SIGTERM (a platform stopping the process) raises KeyboardInterrupt in the main thread, so the
    process closes its server, scheduler and store as after Ctrl-C and exits 0."""
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
