"""The register itself: regions, households, families, members, their identity numbers and the
reference data (programs, periods) every other room reads. Every door (console forms, API,
import, CLI, proposals) calls these rules; none writes them again.

What it owns, by module:
- households: the household/member rules (check_household, check_member, check_new_household,
  create_household, check_member_change, check_head_kept, new_register_id), their error
  collector `Problems` and the `InvalidRecord` error the console shows next to the fields;
- identity: NIK and KK number grammar, birth-date/sex warnings and uniqueness with the
  scope-aware message (check_nik, check_kk, validate_member_identity, validate_family_number);
- queries: the scoped look-ups (households_in_scope, members_in_scope, household_in_scope,
  find_household, find_member): a record outside the scope is answered as absent;
- reference: the programs and the open period every installation starts with, and the period
  look-ups (open_period, period_by_code, current_period, determined_period_codes);
- regions: the Kemendagri region tree (load_regions, get_village, search);
- nik_status: the bounded, audited NIK status check for program systems;
- quick_search: what the navigation bar's search box finds (a NIK, KK number, register ID or
  part of a name), through the scoped look-ups, bounded and audited like the list filters;
- verification: certificate verification codes (new_code, issue, lookup, fingerprint).

It imports the models, the shared leaves (app.codes, app.errors, app.clock…), app.security (the
user's scope, the NIK mask, the bounded look-ups) and app.audit; never a door."""
