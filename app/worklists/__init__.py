"""Work queues: what waits for the signed-in user's role, for the top of Beranda.

- a Verifikator: the submitted proposals of their regency waiting for them (how many carry the
  proposer's warnings, how long the oldest has waited);
- an Operator: their drafts not yet submitted, the rejected proposals to correct (with the
  verifier's reasons), the open duplicate candidates of their regency;
- a Provinsi: the regencies of the province not active in the open period;
- Pusdatin: whether the open period can be closed (app.periods.close_summary, not recomputed);
- Pengawas and Admin: where to look (the audit trail).

Each item counts exactly the rows of a list the door links it to (the same conditions: region
scope and app.proposals.visible_condition), so that a number on Beranda is never a number the
list disagrees with. The doors decide the links; this room returns plain data.

Owns `queues` (WorkItem, work_items). May import the rooms it summarises (app.periods,
app.statistics, app.proposals, app.duplicates), app.security, the shared leaves and the models.
"""

from app.worklists.queues import WorkItem, work_items

__all__ = ["WorkItem", "work_items"]
