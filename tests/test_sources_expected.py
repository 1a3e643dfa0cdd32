"""Every source's expected fields (tests/fixtures/sites/<name>/expected.json), checked.

One test per expected value: what the source's family reads from its fixture site,
served at the real URLs, at the fixture's capture date (tests/source_expectations.py).
"""

from __future__ import annotations

import pytest
from source_expectations import Check, checks_of, folders

pytestmark = pytest.mark.usefixtures("frozen_now")

CHECKS = [check for folder in folders() for check in checks_of(folder)]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_source_reads_what_its_expectation_says(check: Check) -> None:
    check.run()
