"""Duplicates (data ganda): the same person registered twice — under a NIK one typo away, a name
written another way, a second household — found, scored and reviewed.

What it owns, by module:
- names: Indonesian names made comparable (normalise, tokens, sound_key);
- scoring: the one rule of how alike two people are (score → points and reasons; the LIKELY
  and POSSIBLE levels at the configured thresholds);
- keys: the blocking keys (keys_of) that decide which pairs are compared at all;
- scanning: the batch scan of a region or the country (scan, check_region), idempotent and
  keeping every decision.

What it may import: app.register (the records it compares), app.audit, the shared leaves and
the models. Never a door; the doors (app/cli/duplicates.py, views) call it.
"""
