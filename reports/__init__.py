"""Output writers: anomalies.csv, rejects.csv, manifest.json, worklists and the summary."""
