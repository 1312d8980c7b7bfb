"""The EHR's side of OpenID4VCI issuance: ask the node for a credential, send the user's browser.

The EHR calls its node's ``request-credential`` (nuts-node PR #4057) and hands the returned
authorization URL to the user's browser, which goes to the issuer, back to the node's
callback (where the node fetches the credential into its wallet) and on to the EHR's page.
``issue_then`` runs another flow (the s2s one) once the wallet is filled.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any
from urllib.parse import quote

from nutssim.messages import HttpRequest, HttpResponse
from nutssim.parties.base import acting_as
from nutssim.parties.browser import Browser
from nutssim.parties.ehr import EHR, FlowResult
from nutssim.parties.ehr_user import _problem_of, landing_url, navigation_error
from nutssim.specs import openid4vci as vci

Flow = Generator[Any, HttpResponse, FlowResult]


def request_credential(
    ehr: EHR, browser: Browser, subject_id: str, wallet_did: str, issuer: str, configuration_id: str
) -> Flow:
    """Fill ``subject_id``'s wallet over OpenID4VCI: granted when the browser is back without an error."""
    body = {
        "wallet_did": wallet_did,
        "issuer": issuer,
        "authorization_details": vci.details_json(configuration_id),
        "redirect_uri": landing_url(ehr),
    }
    url = f"{ehr.node_internal}/internal/auth/v2/{quote(subject_id)}/request-credential"
    response = yield HttpRequest.post_json(url, body, {"Accept": "application/json"})
    result = FlowResult("denied", responses={"request": response})
    answer = response.json if response.ok and isinstance(response.json, dict) else None
    if answer is None or not isinstance(answer.get("redirect_uri"), str):
        result.error = _problem_of(response)
        return result
    navigation = yield from acting_as(
        browser.id, browser.navigate(answer["redirect_uri"], initiator=ehr.host)
    )
    result.responses["browser"] = navigation.response
    result.error = navigation_error(navigation)
    result.status = "denied" if result.error else "granted"
    return result


def from_offer(ehr: EHR, browser: Browser, subject_id: str, wallet_did: str, offer_uri: str) -> Flow:
    """Read a Credential Offer by reference (§4.1.3), then ask the node for its first configuration.

    The reference's wallet takes no offers: its API wants ``issuer`` and ``authorization_details``,
    so here the EHR reads the offer and passes them on.
    """
    response = yield HttpRequest.get(offer_uri, headers={"Accept": "application/json"})
    try:
        issuer, configurations = vci.parse_credential_offer(response.json if response.ok else None)
    except ValueError as exc:
        why = str(exc) if response.ok else f"HTTP {response.status}"
        error = {"error": "invalid_credential_offer", "error_description": why}
        return FlowResult("denied", error=error, responses={"offer": response})
    return (yield from request_credential(ehr, browser, subject_id, wallet_did, issuer, configurations[0]))


def issue_then(issuance: Flow, then: Flow | None) -> Flow:
    """Run ``issuance``; when it filled the wallet, run ``then`` (the s2s flow) and end with its result."""
    issued = yield from issuance
    if not issued.granted or then is None:
        if then is not None:
            then.close()
        return issued
    return (yield from then)
