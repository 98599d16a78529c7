"""`make spec`: the maintainer's loop after an edit of the description, quiet when all is well.

Stages, each stopping the loop when it fails (steps of one stage run side by side):

1. lint: Spectral, Redocly, then openapi-spec-validator and the YAML 1.1 check
   (`tools.spec_check`), every finding on one line; on a broken document the linters'
   `line:column rule message` findings come first, and nothing prints the document itself;
2. generate: regenerate generated_client/ (a no-op when nothing changed);
3. check: the drift check of the generated client, the breaking-change guard, and the
   description's own tests (`tests/spec`, `tests/description`, less the Node-tool ones the
   lint stage already ran).

A step that passes prints one line with its time; one that fails prints its output, each
line cut short. `make watch` reruns the loop on every save.
"""

from __future__ import annotations

from tools.spec_loop._run import Step, StepResult, lint_steps, run_stage, spec_steps

__all__ = ["Step", "StepResult", "lint_steps", "run_stage", "spec_steps"]
