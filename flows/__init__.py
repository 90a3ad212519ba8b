"""Prefect flows: orchestration only; the work is in logiwatch.pipeline and the layers."""
