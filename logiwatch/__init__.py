"""logiwatch: nightly logistics anomaly worklists for e-commerce customer service."""

__version__ = "0.1.0"
