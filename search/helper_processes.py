"""Helper processes of a reindex (Whoosh's writers, the article preparers) never outlive it.

They are forked while the parent may hold the writer lock: each one closes its inherited
copy of the lock at once and asks the kernel to kill it when the parent dies
(`PR_SET_PDEATHSIG`), so a killed reindex never leaves a process holding the lock or
writing into a generation nobody will publish.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal

from search.store import held_lock_descriptors

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a helper process: die when the parent does, and let go of its lock."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the closed lock still frees later runs
        pass
    if os.getppid() != parent:  # the parent died before prctl: nobody will read our work
        os._exit(1)
    for fd in held_lock_descriptors():
        with contextlib.suppress(OSError):
            os.close(fd)
