"""Tests of the register: regions, households, identity numbers, certificates' codes (app/register/
or its doors)."""
