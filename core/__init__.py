"""The ground floor of logiwatch: configuration, the rule registry, user-facing labels, errors
and DuckDB helpers. Nothing here imports any other package of the project; every other layer
(schemas, transforms, reports, then the pipeline, flows and CLI) builds on it."""

__version__ = "0.1.0"
