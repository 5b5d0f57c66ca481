"""Tests of the command line (app/cli/ or its doors)."""
