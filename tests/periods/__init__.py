"""Tests of the period close (app/periods/ or its doors)."""
