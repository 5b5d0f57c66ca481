"""Tests of roles, scope, masking, bounded lookups, sign-in, sessions, passwords, API keys, hostile
input, the door walk (app/security/ or its doors)."""
