"""Input contracts: ERP header profiles, readers, pandera models and validation."""
