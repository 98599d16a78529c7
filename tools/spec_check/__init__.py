"""Checks of the description that print one short line per finding, for `make spec`.

- `yaml_ambiguities`: scalars that YAML 1.1 readers (PyYAML, many other tools) and YAML 1.2
  readers (the generator) read differently, such as `on`, `no`, `01234` or `2024-01-01`.
- `validator_findings`: openapi-spec-validator's errors against the OpenAPI 3.1 meta-schema,
  each cut to one line (its own command line prints the offending part of the document,
  which for a bad `$ref` is the whole document).

The command line is `python -m tools.spec_check [SPEC]`.
"""

from __future__ import annotations

from tools.spec_check._findings import Finding, validator_findings, yaml_ambiguities

__all__ = ["Finding", "validator_findings", "yaml_ambiguities"]
