"""The bulk engine (package ``chatapi.bulk``): journal, engine and jobs, no network."""
