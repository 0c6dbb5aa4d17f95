"""Running the evaluator every interval, in a background thread of the server process.

Every process may run a loop; the evaluator's lease makes sure only one of them evaluates at a
time, and another takes over within one lease period when that one dies. A pass that fails (the
database is briefly unreachable) is logged and retried at the next tick, never fatal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flowdoctor.errors import FlowdoctorError
from flowdoctor.monitor.evaluator import EvaluationReport, Evaluator

log = logging.getLogger("flowdoctor.monitor")


class EvaluationLoop:
    """``start()`` evaluates now and then every ``interval`` seconds until ``stop()``."""

    def __init__(
        self,
        evaluator: Evaluator,
        *,
        interval: float,
        after_pass: Callable[[], object] | None = None,
    ) -> None:
        """``after_pass`` runs after each pass this process evaluated (recording health)."""
        self._evaluator = evaluator
        self._after_pass = after_pass
        self._interval = interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.passes = 0
        self.last: EvaluationReport | None = None

    def start(self) -> None:
        """Start the background thread (once)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="flowdoctor-evaluator", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the loop, wait for a running pass, and give the lease up."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        try:
            self._evaluator.release()
        except FlowdoctorError as exc:
            log.warning("could not release the evaluator lease: %s", exc)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.last = self._evaluator.evaluate_once()
                self.passes += 1
                if self.last.evaluated and self._after_pass is not None:
                    self._after_pass()
            except FlowdoctorError as exc:
                log.warning("rule evaluation failed, retrying next interval: %s", exc)
            self._stopping.wait(self._interval)
