"""Tests of bulk imports (app/imports/ or its doors)."""
