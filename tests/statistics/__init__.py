"""Tests of figures, aggregates, district activity, Beranda (app/statistics/ or its doors)."""
