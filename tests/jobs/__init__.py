"""Tests of the job queue and the scheduler process (app/jobs/ or its doors)."""
