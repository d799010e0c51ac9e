"""Fixtures for the invoicing tests."""

from __future__ import annotations

import pytest

from shared.config import clear_settings_cache
from shared.invoicing.pdf_text import clear_caches


@pytest.fixture
def fonts_missing(tmp_path, monkeypatch):
    """A server without the PDF fonts: this process (the renderer, and the API when it runs here) reads
    an empty fonts folder until the test ends, then the real one again. The settings and the font caches
    are cleared both ways, since both keep what they first read."""
    monkeypatch.setenv("CLINICPAY_PDF_FONTS_DIR", str(tmp_path))
    clear_settings_cache()
    clear_caches()
    yield
    monkeypatch.delenv("CLINICPAY_PDF_FONTS_DIR")
    clear_settings_cache()
    clear_caches()
