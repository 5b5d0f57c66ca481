"""Tests of CSV/XLSX exports (app/exports/ or its doors)."""
