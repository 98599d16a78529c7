"""Hand-written commands around the description, each run by a Makefile verb.

- `python -m tools.spec_dist`: the bundles and the offline reference page (`make spec-dist`).
- `python -m tools.breaking`: the breaking-change guard against the last release
  (`make check-breaking`).
- `python -m tools.release`: cut a release of the description (`make release-spec`).
"""
