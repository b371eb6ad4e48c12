"""Give the memory of freed arrays back to the system between the phases of a large job.

glibc keeps the memory of freed blocks below its mmap threshold (which grows up to 32 MiB as
large arrays are freed) for later use, in the heap of each thread: after reading a file of a few
million rows, more than a hundred MiB of freed blocks are still counted in the process's memory.
malloc_trim(0) returns them; it costs a few milliseconds. Elsewhere than glibc it does nothing.
"""

import ctypes
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        # The C library the interpreter is linked with.
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def release_free_memory() -> None:
    """Return the memory of freed blocks to the system, where the C library can."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


# mallopt's parameter for the number of glibc heaps ("arenas") threads allocate from.
_M_ARENA_MAX = -8


@cache
def _mallopt() -> Callable[[int, int], int] | None:
    try:
        option: Callable[[int, int], int] = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None
    return option


def limit_heaps(count: int) -> None:
    """Let the threads of the process allocate from `count` heaps at most, where the C library
    can. glibc gives a thread that meets a busy heap a heap of its own (up to 8 per core), each
    keeping the memory freed in it: a thread laying out text while another computes scores
    would hold a hundred MiB more at the peak. Call it before threads start."""
    option = _mallopt()
    if option is not None:
        option(_M_ARENA_MAX, count)
