"""Tests of the console's lists and pages."""
