"""logiwatch: nightly logistics anomaly worklists for e-commerce customer service.

The top of the house: the command line (`cli`) and the run's stages (`pipeline`)."""

from core import __version__  # one version, kept on the ground floor

__all__ = ["__version__"]
