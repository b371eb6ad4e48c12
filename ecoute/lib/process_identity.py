"""A name for this process that tells, from another process of the same machine, whether it still runs.

Work held under a lease is known abandoned when the lease runs out. On the same machine, in the same
process namespace (not another container that happens to share the host name), a process that no
longer exists is known dead at once: its work need not wait for the lease.
"""

import os
import secrets
import socket
from pathlib import Path

from django.db.models import Q
from django.utils import timezone


def _host() -> str:
    return socket.gethostname()[:30]


def _namespace() -> str:
    try:
        return str(Path("/proc/self/ns/pid").stat().st_ino)
    except OSError:
        return ""


def this_process() -> str:
    """Host, process namespace, process id, and a random part that makes each call unique."""
    return f"{_host()}|{_namespace()}|{os.getpid()}|{secrets.token_hex(6)}"


def has_ended(name: str) -> bool:
    """True when `name` (from this_process) is a process of this machine and namespace that has ended;
    False when it may still run, here or elsewhere."""
    parts = name.split("|")
    if len(parts) != 4 or not parts[1] or parts[:2] != [_host(), _namespace()]:
        return False
    try:
        os.kill(int(parts[2]), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError, OverflowError):
        return False
    return False


def lease_lapsed(runner: str, running: Q) -> Q:
    """The condition, checked again when the row is updated, that work seen held by `runner` is still as
    interrupted as it was seen: `running` with its lease run out, or held by a process of this machine
    that has ended."""
    expired = Q(lease_expires_at=None) | Q(lease_expires_at__lte=timezone.now())
    if runner and has_ended(runner):
        expired |= Q(runner=runner)
    return running & expired
