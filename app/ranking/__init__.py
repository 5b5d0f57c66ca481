"""The welfare ranking (pemeringkatan kesejahteraan): a proxy-means test (PMT) scores every
determined household from what the register holds, the close ranks the scores into deciles
(desil 1–10), village deliberations move a few households with written reasons, and each
program's eligibility rule shows who should receive it and who does.

What it owns, by module:
- variables: the PMT's variables, each a SQL expression over a household and its people, with
  its Indonesian label;
- pmt_models: model versions (load from a file, fit from a survey, activate, freeze once used)
  and the shipped default model;
- scoring: the score as SQL (for the close) and one household's explanation (intercept plus
  per-variable contributions);
- close_steps: the close's ranking statements (scores, deciles, cut-offs);
- eligibility: program rules, checked, and the close's eligibility statements;
- targeting: inclusion and exclusion errors and program overlap by decile, per region;
- deliberation: village deliberation sessions and their capped overrides (through proposals).

What it may import: app.proposals, app.statistics, app.register, app.security, app.audit, the
shared leaves and the models. Never a door; views, reports and app/cli call it.
"""

from flask_babel import gettext


def decile_is_derived() -> str:
    """Why a form, the API or an import file may not set a household's decile."""
    return gettext(
        "The welfare decile is not entered: each close ranks the household by its PMT score."
    )
