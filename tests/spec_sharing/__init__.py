"""What other-language teams take from the description, and the guard on what they rely on.

- test_dist.py: `make spec-dist`: one-file bundles equal to the source, offline docs.
- test_typescript.py: another language's generator (openapi-typescript) accepts the bundle;
  strict TypeScript that uses it compiles, and wrong requests are rejected.
- test_breaking.py: the breaking-change guard, on planted breaking and harmless edits.
- test_release.py: releases: how they are cut, and that the kept ones are consistent.
"""
