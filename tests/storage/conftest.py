"""Fixtures for the storage tests: a permissive umask, and a journal built at an old revision."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The common default umask: files we do not restrict ourselves would come out 0644."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)
