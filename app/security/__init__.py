"""The security room: who may sign in, what each user may see and do, and the guards every
request passes. Each rule is written once here, and every door (views/, views/api/, app/cli/,
reports/) calls it.

What it owns, by module:
- roles: the role names (ADMIN … INTERKONEKSI, role_names(user)), each role's permissions
  (ROLES, sync_roles) and NATIONAL_ROLES;
- scope: a user's region scope (current_scope, scope_of, in_scope, check_in_scope,
  scope_clause, the InUserRegion filter and region_filter of scoped views);
- privacy: the masking rule of NIK, KK numbers and birth dates (sees_full_nik, nik_for_viewer,
  OrderColumns, MASKED_NIK_ROLES), and the templates' `viewer_nik` filter (install);
- lookups: the bounded, audited answers to "does this number exist?" (reserve, settle, search,
  conflict, the quotas), on the hourly counters of lookup_counts;
- guessing: the guessing detector and its suspensions (detect, suspended_users, lift);
- signin: authentication for both login doors and API keys (authenticate, the lockout, the
  region rule, Refusal, check_current_password, the audit of every attempt), and sessions made
  permanent at sign-in (install);
- passwords: the one password rule (check_password_strength, password_complexity_validator,
  the FAB_PASSWORD_COMPLEXITY_VALIDATOR of config.py);
- sessions: console sessions and API tokens that can be ended (server-side rows, token epochs);
- api_keys: machine clients' keys (create, revoke, validate; refused keys answered before any
  API view, install);
- rate_limits: limits counted by hand (spend) and the failed sign-in budget's scope;
- headers: the Content-Security-Policy nonce and the security headers (install);
- csrf: the CSRF rule for forms and cookie-signed API calls (protect_forms_from_csrf);
- input_guard: requests refused before any view reads them (control characters, bad `?q=`);
- permission_cache: permission checks answered from one query per request;
- users: creating users with a role and a region scope (create_user, check_region).

What it exports: nothing from this package itself; callers import the module they need
(`from app.security import scope`, `from app.security.privacy import nik_for_viewer`). Nothing
registers by being imported: create_app calls the install functions (input_guard, csrf,
privacy, headers, api_keys, signin); the security doors that Flask-AppBuilder builds — the
security manager, the login views and the user screens — are views/security.py and
views/users.py.

What it may import: the shared leaves (app.errors, app.clock, app.codes, app.locks,
app.formatting, app.extensions), app.audit (to record what it decides), models, and Flask,
Flask-AppBuilder and their extensions. Never a door (views/, reports/, app/cli/) and no other
domain room.
"""
