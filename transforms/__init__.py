"""Rule logic: DuckDB SQL files under `sql/` and the Python that runs them (no Prefect)."""
