"""Vendor timestamps: epoch strings are ASCII digits; other Unicode digits are not a time (no crash)."""

from datetime import UTC, datetime

import pytest
from ingest_svc.domain.normalizers.fields import when


def test_epoch_milliseconds_in_a_string_are_a_time():
    assert when("1700000000000") == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


@pytest.mark.parametrize("raw", ["\u00b2", "\u00b9\u00b2\u00b3", "\uff11\uff17" + "\uff10" * 11, "\u0663"])
def test_unicode_digits_int_refuses_or_misreads_are_no_time(raw):
    # Superscripts, fullwidth epoch milliseconds, Arabic-Indic three.
    # str.isdigit() is true of all of these; int() raised on "²" and failed the whole delivery.
    assert when(raw) is None
