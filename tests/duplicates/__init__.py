"""Tests of duplicate detection (app/duplicates/ and its doors)."""
