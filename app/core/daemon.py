"""A background loop on a daemon thread of its own, stopped by an event it waits on.

The batch job worker and the webhook delivery worker are both one: ``_run`` loops until
``_stop`` is set, sleeping with ``self._stop.wait(seconds)`` so that ``stop()`` wakes it.
"""

from __future__ import annotations

import threading


class DaemonLoop:
    def __init__(self, name: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        raise NotImplementedError
