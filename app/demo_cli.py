"""`flask datakesos demo`: placeholder, filled in by the demo-data work."""
