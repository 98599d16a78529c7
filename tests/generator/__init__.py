"""The regeneration pipeline: determinism, drift, the rate-limit table, generated calls."""
