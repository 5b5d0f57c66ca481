"""Maps of the register: region boundaries shipped with the project (simplified GeoJSON keyed
by our region codes), classes of an indicator's values, and one SVG renderer for screen and
paper.

What it may import: app.statistics, app.ranking, app.register, app.security, the shared leaves
and the models. Never a door.
"""
