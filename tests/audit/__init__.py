"""Tests of the audit trail (app/audit/ or its doors)."""
