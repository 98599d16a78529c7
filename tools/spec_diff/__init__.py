"""`make diff`: what users will notice, from the last release to the working description.

Operations, client methods (as Python spells them), models and their fields added, removed
or changed, rate limits changed, and the verdict: the version bump the change calls for.

- major: a breaking change the guard reports (a waived one counts as a change, not a break);
- minor: anything added or changed that a client may use (an operation, a method, a model,
  a field, a limit), with nothing breaking;
- patch: the description differs in words only (descriptions, summaries, examples);
- none: nothing differs.

The command line is `python -m tools.spec_diff` (`make diff`).
"""

from __future__ import annotations

from tools.spec_diff._summary import Summary, bump_level, render_summary, summarize

__all__ = ["Summary", "bump_level", "render_summary", "summarize"]
