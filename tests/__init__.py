"""Tests, layered like the code: spec/, generator/, overlays/, integration/, contract/."""
