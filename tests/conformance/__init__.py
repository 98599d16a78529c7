"""The vendor's own clients against the sandbox."""
