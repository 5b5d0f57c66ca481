"""Queued jobs run once, record progress and failures."""

import pytest

from app import jobs
from models.enums import JobStatus


def _echo(run, progress):
    progress(1, total=2, message="halfway")
    progress(2)
    return {"echo": run.params["value"]}


def _fail(run, progress):
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def registered_test_kinds():
    """Job kinds of these tests, registered as the app registers its own (in create_app)."""
    jobs.register("test_echo", _echo)
    jobs.register("test_fail", _fail)


def test_a_queued_job_runs_once_with_progress(app_context):
    queued = jobs.enqueue("test_echo", {"value": 7})
    assert queued.status == JobStatus.QUEUED
    finished = jobs.run_next("test_echo")
    assert finished.status == JobStatus.SUCCEEDED
    assert finished.result == {"echo": 7}
    assert (finished.progress_done, finished.progress_total) == (2, 2)
    assert jobs.run_next("test_echo") is None


def test_a_failing_job_is_recorded_not_raised(app_context):
    jobs.enqueue("test_fail")
    finished = jobs.run_next("test_fail")
    assert finished.status == JobStatus.FAILED and "boom" in finished.error
