"""Failure alerts: one line naming the failed stage and the error, to the run's log and, when
`alerts.block` names a Prefect notification block, through it.

No `from __future__ import annotations`: imported by flow modules (see flows/nightly.py).
"""

from prefect.blocks.core import Block
from prefect.logging.loggers import flow_run_logger

from flows import pipeline


def failure_line(shop: str, day: str, exc: BaseException | None, message: str = "") -> str:
    """`logiwatch <shop> <date>: stage <stage> failed: <error>` on one line."""
    if exc is None:
        return f"logiwatch {shop} {day}: run failed: {message}".splitlines()[0]
    return (f"logiwatch {shop} {day}: stage {pipeline.failed_stage(exc)} failed: "
            f"{pipeline.error_line(exc)}")


def report_failure(flow_run, flow, state, config, shop: str, day: str) -> str:
    """Log the failure line and send it through the configured notification block.

    A notification that cannot be sent is logged, never raised: the run has failed already.
    """
    logger = flow_run_logger(flow_run, flow)
    try:
        exc = state.result(raise_on_failure=False)
    except Exception:  # the result may not be retrievable; the state message still is
        exc = None
    line = failure_line(shop, day, exc if isinstance(exc, BaseException) else None,
                        state.message or "")
    logger.error(line)
    block = config.alerts.block if config else ""
    if block:
        try:
            Block.load(block).notify(line, subject=f"logiwatch {shop} {day} failed")
        except Exception as exc:  # noqa: BLE001 - a broken alert channel must not hide the failure
            logger.error(f"alert through block {block!r} not sent: {exc}")
    return line
