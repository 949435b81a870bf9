"""`learnproof serve --workers N` on Linux: every worker process listens on a socket of its own.

uvicorn's supervisor binds one socket and all its workers accept from it, and connections
go to whichever process is awake when they arrive, so a busy worker keeps taking more:
measured with two workers, 16 kept-alive clients split 16/0 and 13/3, and all four batch
requests of a benchmark landed on one worker while the other idled. Here each worker binds
its own socket to the same address with ``SO_REUSEPORT`` (Linux 3.9+), and the kernel spreads
new connections across the workers' sockets by a hash of their addresses (for the same
reason Node's cluster module hands connections out from its primary process). Elsewhere
`serve` keeps uvicorn's shared socket.

The hash spreads connections, not work: the workers also share their in-flight request counts
(`app.connection_reuse.WorkerLoads`), so that a busier worker ends connections until its
clients have spread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import threading
import time

from uvicorn import Config
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import multiprocess

from app import connection_reuse

SPREADS_CONNECTIONS = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")
"""Whether the kernel spreads connections across sockets bound with SO_REUSEPORT."""


def listening_socket(host: str, port: int, *, shared: bool = True) -> socket.socket:
    """A TCP socket bound to (host, port); with `shared`, other sockets of this user (the
    other workers) may bind the same address.

    Not `shared`, the bind fails while any socket holds the address: `serve` checks so first,
    or a second `serve` on the same port would quietly take half of the first's connections.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class _OwnSocketWorker(multiprocess.Process):
    """uvicorn's worker process, given a socket bound in the worker instead of the parent's,
    and the workers' shared loads."""

    shared_loads: connection_reuse.WorkerLoads | None = None  # set by `run_workers`

    def __init__(self, config: Config, sockets: list[socket.socket]) -> None:
        # An instance attribute: the process object is what a spawned worker inherits.
        self.loads = _OwnSocketWorker.shared_loads
        super().__init__(config, sockets)

    def target(self, sockets: list[socket.socket] | None = None) -> None:  # in the worker
        log = logging.getLogger("uvicorn.error")
        try:
            own = listening_socket(self.config.host, self.config.port)
        except OSError as error:
            log.error(error)
            sys.exit(STARTUP_FAILURE)
        if self.loads is not None:
            if not connection_reuse.join(self.loads):
                log.warning("no free load slot: this worker does not help spread clients")
            elif (cpu := self.loads.cpu) is not None and _run_on(cpu):
                log.info("worker process %d runs on CPU %d", os.getpid(), cpu)
                threading.Thread(
                    target=_keep_placed, args=(self.loads,), name="placement", daemon=True
                ).start()
        try:
            super().target([own])
        finally:
            if self.loads is not None:
                self.loads.release()


def placements(workers: int) -> tuple[int, ...]:
    """The CPUs to run `workers` worker processes on, one each: those this process may use,
    if there are exactly as many as workers; none (the kernel places them) otherwise.

    A worker runs Python under one GIL, so it uses about one CPU however many threads it has.
    Left to the kernel, the workers moved between the CPUs they share with the database and
    the clients, and lost their caches: pinned, single issuance ran 3-7 % less CPU per request
    and 7-13 % more requests per second with two workers on two CPUs (README "Figures"). With
    fewer workers than CPUs they are left to the kernel: pinned to the first ones, two `serve`s
    on one machine would share those and leave the others idle.
    """
    allowed = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    return tuple(allowed) if len(allowed) == workers else ()


def _run_on(cpu: int) -> bool:
    """Pin every thread of this process to `cpu` (threads started later inherit it); False,
    with a warning, where the system refuses (the worker then runs wherever the kernel puts
    it)."""
    try:
        for thread in os.listdir("/proc/self/task"):
            with contextlib.suppress(ProcessLookupError):  # a thread that has just ended
                os.sched_setaffinity(int(thread), {cpu})
    except OSError as error:
        logging.getLogger("uvicorn.error").warning("cannot pin worker to CPU %d: %s", cpu, error)
        return False
    return True


PLACEMENT_CHECK_SECONDS = 2.0


def _keep_placed(loads: connection_reuse.WorkerLoads) -> None:
    """Every few seconds: move to an idle CPU if this worker shares its own with another
    (after a replacement, `WorkerLoads.move_if_crowded`)."""
    while True:
        time.sleep(PLACEMENT_CHECK_SECONDS)
        if (cpu := loads.move_if_crowded()) is not None and _run_on(cpu):
            logging.getLogger("uvicorn.error").info(
                "worker process %d moved to CPU %d", os.getpid(), cpu
            )


def run_workers(config: Config, *, cpus: tuple[int, ...] = ()) -> None:
    """uvicorn's supervisor (restarts, health checks, signals) over `_OwnSocketWorker`s, each
    placed on one of `cpus` (see `placements`) if any are given.

    The caller has checked that nothing holds the address (`listening_socket`, not shared).
    """
    # The supervisor creates its workers through this module-level name; it is rebound only
    # in the `serve` process, which runs nothing else.
    multiprocess.Process = _OwnSocketWorker  # type: ignore[misc]
    _OwnSocketWorker.shared_loads = connection_reuse.WorkerLoads(config.workers, cpus=cpus)
    multiprocess.Multiprocess(config, sockets=[]).run()
