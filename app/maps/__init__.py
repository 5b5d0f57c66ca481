"""Maps of the register: region boundaries shipped with the project (simplified GeoJSON keyed
by our region codes), classes of an indicator's values, and one SVG renderer for screen and
paper.

- `shapes`: the boundaries in app/maps/boundaries (scripts/build_boundaries.py made them);
- `indicators`: what a map colours regions by, per sub-region and period;
- `classes`: mapclassify's classes and the colour-blind-safe palette;
- `points`: a district's villages and a village's households as points, within the scope;
- `choropleth`: a region's map (checked parameters, rows, classes) and its picture;
- `svg`: the renderer.

What it may import: app.statistics, app.register, app.security, the shared leaves and the
models. Never a door, nor app.ranking (a sibling).
"""
