"""Tests of the hand-written overlays (package ``chatapi``): fast, no network, no sleeps."""
