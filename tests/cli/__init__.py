"""The ``chatapi`` command, run in subprocesses against a sandbox process."""
