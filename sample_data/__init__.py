"""Sample exports for the demo run and the end-to-end tests, and their generator."""
