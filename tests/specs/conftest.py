"""Fixtures shared by the credential verification tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def world(sim, make_identity):
    """An issuer on register.example, a holder on gp.example and a third party on other.example."""
    return {
        "issuer": make_identity("https://register.example"),
        "holder": make_identity("https://gp.example"),
        "other": make_identity("https://other.example"),
    }
