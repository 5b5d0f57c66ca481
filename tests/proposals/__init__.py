"""Tests of proposals and their verification (app/proposals/ or its doors)."""
