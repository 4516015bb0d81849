"""Activate kamcore's opt-in pytest plugin: the ``kamcore_*`` fixtures used by these tests."""

pytest_plugins = ["kamcore.testing"]
