"""Orchestration: the run's stages in order as plain functions (`pipeline`), the same stages as
Prefect tasks and flows (`nightly`), the scheduled deployment (`serve`) and failure alerts.
The work itself is in the layers below (schemas, transforms, reports)."""
