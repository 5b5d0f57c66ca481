"""The citizen's door: what residents who never sign in may do with the register.

- `lookup`: Cek Bansos — people of a village's determined register found by part of a name,
  masked (first letters, age, programs of the last closed period, decile; never a NIK, KK
  number, birth date or address), bounded per address and by a small offline challenge, and
  counted per village and day only.
- `submitting`: Sanggah (an objection to a listed household), Usul (a household that should be
  listed) and desil objections, with house photos (`photos`: re-encoded, EXIF stripped) and
  coordinates (`places`: inside Indonesia; outside the village's district is flagged); the
  submitter's NIK and name are checked against the register; limits per address and NIK;
  repeats of an open submission are merged into it.
- `tracking`: the random tracking code and what the public page may show.
- `deciding`: the regency's queue — scope, SLA state, starting verification, decisions with a
  reason (an upheld sanggah becomes a deactivation proposal; an upheld usul or desil objection a
  task for the regency's operators), photos for the regency's own users only.
- `deadlines`: the daily job that lapses or escalates what is past COMPLAINT_DAYS.
- `counts`: received, decided in time and breached per regency (Beranda, activity, recaps).

Imports: app.register, app.proposals, app.maps, app.security, app.audit and the leaves.
"""
