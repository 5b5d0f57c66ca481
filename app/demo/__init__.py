"""Demo data: deterministic, realistic households of poor and vulnerable families in West Java.

`generate(households=N, seed=S)` writes N households with their families, members and program
memberships, in batches of plain Core inserts (no ORM objects), and returns the counts. The same N
and seed give the same register ids, names, NIKs and KK numbers on any database; the only outside
input is the open period, whose first day is "today" for ages and dates.

Shapes follow the register's national figures (DESIGN §1, ../shared/seed): 27 M households,
28.8 M families, 98.2 M people — so ~3.6 people and ~1.07 families per household — of whom
96.8 M receive PBI JK, 10 M are in PKH and 15.5 M families receive BPNT; welfare deciles are
skewed to the poorest four.

A run is recognised by the register id of its first household: when that exists, nothing is
written (`DemoResult.already_present`). Another seed adds another set of households.

Owns: generator (the Generator and its Batch: one seed's stream of households), places (regions
and their weights), names, people, housing, programs (the parts of a household), distributions
(the national shapes), dates, writing (`generate`, the inserts), bulk (the COPY path on
PostgreSQL), users (the demo users of DESIGN §7). Exports the names below. May import models,
the shared leaves, app.register.reference, app.security (roles, users) and app.imports.staging
(the COPY encoder); never a door.
"""

from app.demo.generator import DEFAULT_SEED, Generator
from app.demo.places import DEFAULT_REGIONS
from app.demo.users import DEFAULT_PASSWORD, DEMO_USERS, create_demo_users, demo_password
from app.demo.writing import DemoResult, existing_marker, generate

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_REGIONS",
    "DEFAULT_SEED",
    "DEMO_USERS",
    "DemoResult",
    "Generator",
    "create_demo_users",
    "demo_password",
    "existing_marker",
    "generate",
]
