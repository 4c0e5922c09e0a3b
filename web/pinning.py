"""Which state of the index a page or an export reads.

An address may pin a generation (`generazione=gen-…`, the results page's permalink): it
is read while the index keeps it (`Archive.pinned`; folder engines keep the live one and
the one before), else the live one, and the page says so. Everything a request computes
(the page, its receipt) goes through one `Pin`, so it all comes from the same snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from search.archive import PinnedArchive
from search.receipts import built_at
from web.state import get_archive


@dataclass(frozen=True)
class PinState:
    """What a page says about the state it shows (plain values, for the template)."""

    asked: str
    generation: str
    live: str
    built_at: str | None
    gone: bool
    past: bool


@dataclass
class Pin:
    view: PinnedArchive
    asked: str  # the generation the address asked for ("" when none)
    live: str  # the generation live now
    stack: ExitStack

    @property
    def generation(self) -> str:
        return self.view.held.generation

    @property
    def built_at(self) -> str | None:
        return built_at(self.view.held)

    @property
    def gone(self) -> bool:
        """The address pinned a generation the index no longer keeps."""
        return bool(self.asked) and self.generation != self.asked

    @property
    def past(self) -> bool:
        """The page shows a generation that is no longer the live one."""
        return self.generation != self.live

    def state(self) -> PinState:
        return PinState(self.asked, self.generation, self.live, self.built_at, self.gone, self.past)

    def close(self) -> None:
        self.stack.close()


def open_pin(generation: str = "") -> Pin:
    """The view of `generation` (the live one when empty or gone); the caller closes it
    (a streamed response: `response.call_on_close(pin.close)`)."""
    archive = get_archive()
    stack = ExitStack()
    try:
        view = stack.enter_context(archive.pinned(generation)) if generation else None
        if view is None:
            view = stack.enter_context(archive.current())
        with archive.snapshot() as live:
            live_generation = live.generation
    except BaseException:
        stack.close()
        raise
    return Pin(view, generation, live_generation, stack)


@contextmanager
def pinned(generation: str = "") -> Iterator[Pin]:
    pin = open_pin(generation)
    try:
        yield pin
    finally:
        pin.close()
