"""Tests of demo data (app/demo/ or its doors)."""
