"""The message inspector: requests, responses, decoded tokens, explained claims, checks; escaped HTML."""

from __future__ import annotations

import re

from nutssim.trace import Exchange, Trace
from nutssim.views import Inspector, inspect_html, inspect_text
from nutssim.views.jwt_explain import CLAIMS, format_time, relative


def exchange(trace: Trace, seq: int) -> Exchange:
    return next(x for x in trace.exchanges if x.seq == seq)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_token_request_shows_request_response_tokens_checks_and_facts(good: Trace) -> None:
    text = inspect_text(exchange(good, 8), good)
    assert "POST https://hospital.example/oauth2/hospital/token" in text
    assert "grant_type" in text and "vp_token-bearer" in text
    assert "Response — 200 OK" in text
    assert "JWT 1 · DPoP proof · in request header DPoP" in text
    assert "JWT 2 · verifiable presentation (JWT) · in request form assertion" in text
    assert "JWT 2.1 · verifiable credential (JWT) · in vp.verifiableCredential[0]" in text
    assert "JSON-LD 2.2 · NutsEmployeeCredential" in text
    assert "signature: valid, checked against the key in its own jwk header" in text
    assert "from the DID document served in exchange #9" in flat(text)  # VP key found in the trace
    assert "from the DID document served in exchange #10" in flat(text)  # nested VC's issuer key too
    assert "aud    https://hospital.example/oauth2/hospital   — audience: who it is for" in text
    assert re.search(r"exp\s+\d+ \(now\+5 s, 2025-01-01 00:00:0\d UTC\)", text)
    assert "✓ s2s.vp.audience" in text and "RFC021 §4.2.3" in text
    assert "#12 token_issued" in text
    assert '"definition_id": "pd_care_organization"' in text  # a JSON form field, pretty-printed


def test_opaque_access_token_is_not_taken_for_a_jwt(good: Trace) -> None:
    text = inspect_text(exchange(good, 13), good)
    assert "Authorization  DPoP " in text
    assert "Tokens — 1 decoded" in text  # only the DPoP proof, which carries ath
    assert "ath" in text and "hash of the access token" in text


def test_failure_shows_error_code_description_and_failed_check(failure: Trace) -> None:
    text = inspect_text(exchange(failure, 8), failure)
    assert "✗ invalid_request: presentation nonce has already been used" in flat(text)
    assert "Response — 400 Bad Request" in text
    assert "✗ s2s.vp.nonce" in text and "PROTOCOL.md §1.5 #14" in text and "nonce abc123 seen 3 s ago" in text
    assert "Checks — 2 passed, 1 failed" in text


def test_redirect_parameters_are_decoded(failure: Trace) -> None:
    text = inspect_text(exchange(failure, 2), failure)
    assert "redirect to https://gp.example/oauth2/callback?error=access_denied" in text
    assert "error_description  user declined" in text
    assert "✗ access_denied: user declined" in text


def test_request_object_in_a_response_body_is_decoded(good: Trace) -> None:
    text = inspect_text(exchange(good, 3), good)
    assert "JWT 1 · request object (JAR) · in response body" in text
    assert "code_challenge" in text and "PKCE" in text
    assert "valid, checked against key did:web:gp.example:iam:1#key-1" in flat(text)  # served in #9


def test_html_escapes_everything_and_loads_nothing(good: Trace) -> None:
    page = inspect_html(exchange(good, 8), good)
    assert "<script>" not in page
    assert "J. &lt;script&gt;alert(1)&lt;/script&gt; Doe" in page
    assert not re.search(r"(src|href)\s*=\s*[\"']?https?:", page)
    assert "<details><summary>raw JWT 2" in page


def test_inspector_object_renders_both_ways(good: Trace) -> None:
    inspector = Inspector.at(good, 8)
    assert inspector._repr_html_().startswith("<style>")
    assert str(inspector) == inspect_text(exchange(good, 8), good)
    assert "token request" in repr(inspector)


def test_inspector_works_without_a_trace(good: Trace) -> None:
    text = inspect_text(exchange(good, 8))
    assert "not verified here (key did:web:gp.example:iam:1#key-1 is not in this trace)" in flat(text)


def test_claim_dictionary_covers_the_common_claims() -> None:
    wanted = {
        "iss",
        "sub",
        "aud",
        "nonce",
        "jti",
        "iat",
        "nbf",
        "exp",
        "htm",
        "htu",
        "ath",
        "cnf",
        "vp",
        "vc",
        "client_id",
        "scope",
        "state",
        "code_challenge",
        "request_uri",
        "response_uri",
        "presentation_definition_uri",
    }
    assert wanted <= set(CLAIMS)
    assert "who it is for" in CLAIMS["aud"] and "replay protection" in CLAIMS["nonce"]


def test_times_are_shown_as_epoch_and_relative_to_now() -> None:
    assert format_time(1735689605, 1735689600) == "1735689605 (now+5 s, 2025-01-01 00:00:05 UTC)"
    assert relative(-900) == "now-900 s ≈ 15.0 min"
    assert format_time("soon", 0) == "soon"
