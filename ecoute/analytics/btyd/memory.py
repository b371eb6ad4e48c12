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
