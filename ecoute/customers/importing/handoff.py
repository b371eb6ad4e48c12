"""A generator drawn by a thread one item ahead of its reader."""

import queue
import threading
from collections.abc import Generator, Iterator
from typing import Any


def one_ahead[T](items: Iterator[T]) -> Generator[T]:
    """`items`, drawn by a thread one item ahead of the caller (never more: each is a batch of rows
    in memory); close it when done."""
    handoff: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    taken, stop = threading.Event(), threading.Event()

    def offer(message: tuple[str, Any]) -> bool:
        """Hand `message` over, and wait until the caller takes it before drawing the next item."""
        taken.clear()
        handoff.put(message)  # the slot is free: the previous message was taken
        while not taken.wait(0.05):
            if stop.is_set():
                return False
        return True

    def produce() -> None:
        try:
            for item in items:
                if not offer(("item", item)):
                    return
        except BaseException as error:  # handed to the caller, raised there
            offer(("error", error))
        else:
            offer(("end", None))

    thread = threading.Thread(target=produce, name="import-batches", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = handoff.get()
            taken.set()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        thread.join()
