"""RFC 7523 (JWT profile for OAuth 2.0 grants and client authentication) as the 2026 two-VP token request.

The GF profile (GFI-004; the LSPxNuts pilot) asks for a token with two verifiable
presentations: ``assertion`` (RFC 7521 §4.1, RFC 7523 §2.1), a VP from the care
organization's wallet answering the ``organization`` PD, and ``client_assertion`` with
``client_assertion_type`` ``urn:ietf:params:oauth:client-assertion-type:jwt-bearer``
(RFC 7521 §4.2, RFC 7523 §2.2), a VP from the service provider's wallet answering the
``service_provider`` PD. Values flow from VP1 into VP2 through constraint fields that share
an ``id`` (nuts-node ``docs/pages/deployment/policy.rst`` "Two-VP flow and cross-VP binding").

This module holds the names, the rules (each with its clause and the reference's text) and
the pure binding functions; the parties compose them (``parties.jwt_bearer_client``,
``parties.jwt_bearer_grant``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from nutssim import causes
from nutssim.specs.rfc6749 import (
    INVALID_CLIENT,
    INVALID_GRANT,
    INVALID_REQUEST,
    INVALID_SCOPE,
    SERVER_ERROR,
    UNSUPPORTED_GRANT_TYPE,
)
from nutssim.specs.rules import Rule

GRANT_TYPE: Final = "urn:ietf:params:oauth:grant-type:jwt-bearer"  # RFC 7523 §2.1
CLIENT_ASSERTION_TYPE: Final = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"  # RFC 7523 §2.2
#: The wallet owner type of VP2's definition (nuts-node vcr/pe/policy.go WalletOwnerServiceProvider).
SERVICE_PROVIDER: Final = "service_provider"
#: The credential by which a care organization lets a service provider act on its behalf (GFI-004).
DELEGATION_TYPE: Final = "ServiceProviderDelegationCredential"
#: The service provider's own certification (GFI-004).
SERVICE_PROVIDER_TYPE: Final = "ServiceProviderCredential"

_CLIENT = "nuts-node auth/client/iam/openid4vp.go RequestServiceAccessToken"
_JWT_CLIENT = "nuts-node auth/client/iam/openid4vp.go requestJwtBearerAccessToken"

# -- the client's engagement rules (nuts-node master at d2ad162) -------------------------------------------
EMPTY_SP_SUBJECT = Rule(
    "client.service_provider_subject",
    "nuts-node auth/api/iam/api.go RequestServiceAccessToken",
    INVALID_REQUEST,
    "service_provider_subject_id is optional and cannot be empty: omit the field or set a non-empty value",
    kind=causes.INVALID,
    about="parameter",
    subject="service_provider_subject_id",
)
FLAG_OFF = Rule(
    "client.jwt_bearer_flag",
    _CLIENT,
    UNSUPPORTED_GRANT_TYPE,
    "jwt-bearer two-VP flow requires auth.experimental.jwtbearerclient = true",
    kind=causes.UNSUPPORTED,
    about="configuration",
    subject="auth.experimental.jwtbearerclient",
)
NOT_ADVERTISED = Rule(
    "client.jwt_bearer_advertised",
    f"RFC 8414 §2 grant_types_supported; {_CLIENT}",
    UNSUPPORTED_GRANT_TYPE,
    f'authorization server does not advertise "{GRANT_TYPE}" in grant_types_supported',
    kind=causes.UNSUPPORTED,
    about="metadata",
    subject="grant_types_supported",
)
NO_POLICY = Rule(
    "client.local_policy",
    "nuts-node auth/client/iam/profile_validation.go loadAndValidateProfile",
    SERVER_ERROR,
    "local PD resolution requires a policy backend, but none is configured",
    kind=causes.MISSING,
    about="policy",
)
NO_PROFILE = Rule(
    "client.local_policy",
    "nuts-node auth/client/iam/profile_validation.go loadAndValidateProfile",
    SERVER_ERROR,
    "local PD resolution failed: {reason}",
    kind=causes.MISSING,
    about="policy",
)
NO_ORGANIZATION_PD = Rule(
    "client.organization_pd",
    "nuts-node auth/client/iam/profile_validation.go loadAndValidateProfile",
    SERVER_ERROR,
    'no organization presentation definition for scope "{scope}"',
    kind=causes.MISSING,
    about="presentation_definition",
    subject="organization",
)
NO_SERVICE_PROVIDER_PD = Rule(
    "client.service_provider_pd",
    _JWT_CLIENT,
    INVALID_SCOPE,
    'no service_provider presentation definition for scope "{scope}"',
    kind=causes.MISSING,
    about="presentation_definition",
    subject=SERVICE_PROVIDER,
)

# -- the authorization server ----------------------------------------------------------------------------
#: nuts-node project-gf auth/api/iam/api.go HandleTokenRequest: assertion, scope and client_id.
GF_PARAMS = Rule(
    "token.params",
    "nuts-node project-gf auth/api/iam/api.go HandleTokenRequest",
    INVALID_REQUEST,
    "missing required parameters",
    kind=causes.MISSING,
    about="parameter",
)
GF_ASSERTION = Rule(
    "token.assertion",
    "nuts-node project-gf auth/api/iam/bearer_token.go handleJWTBearerTokenRequest",
    INVALID_REQUEST,
    "assertion parameter is invalid",
    kind=causes.INVALID,
    about="parameter",
    subject="assertion",
)
GF_NO_MATCH = Rule(
    "token.pd_fulfil",
    "nuts-node project-gf auth/api/iam/validation.go BasicPresentationEvaluator",
    INVALID_REQUEST,
    "presentation does not match presentation definition",
    kind=causes.UNFULFILLED,
    about="presentation_definition",
)
PARAMS = Rule(
    "token.params",
    "RFC 7521 §4.1, §4.2; RFC 7523 §2.1, §2.2",
    INVALID_REQUEST,
    "missing required parameters: {names}",
    kind=causes.MISSING,
    about="parameter",
)
ASSERTION_TYPE = Rule(
    "token.client_assertion_type",
    "RFC 7523 §2.2; RFC 7521 §4.2.1",
    INVALID_CLIENT,
    "client_assertion_type must be '{expected}'",
    kind=causes.MISMATCH,
    about="parameter",
    subject="client_assertion_type",
)
ONE_JWT = Rule(
    "token.assertion",
    "RFC 7523 §2.1, §2.2 (a single JWT); RFC 7521 §4.1",
    INVALID_GRANT,
    "{parameter} must be a single JWT verifiable presentation",
    kind=causes.INVALID,
    about="parameter",
)
DISTINCT_NONCES = Rule(
    "token.distinct_nonces",
    "RFC 7523 §3 item 7 (jti: one use); GFI-004: each VP its own nonce",
    INVALID_GRANT,
    "assertion and client_assertion share a replay value",
    kind=causes.REPLAYED,
    about="presentation",
    subject="nonce",
)
BINDING = Rule(
    "token.cross_vp_binding",
    "GFI-004 cross-VP binding; nuts-node policy.rst 'Cross-VP binding via shared field.id'",
    INVALID_GRANT,
    "cross-VP binding field '{field}' differs between assertion and client_assertion",
    kind=causes.MISMATCH,
    about="presentation_definition",
)
DELEGATION = Rule(
    "token.delegation",
    "GFI-004 (the service provider acts on behalf of the organization); RFC 7523 §3 items 1-2",
    INVALID_GRANT,
    "client_assertion holds no " + DELEGATION_TYPE + " issued by the assertion's signer to its own signer",
    kind=causes.UNFULFILLED,
    about="credential",
    subject=DELEGATION_TYPE,
)


def captured_selection(selection: Mapping[str, str] | None, captured: Mapping[str, Any]) -> dict[str, str]:
    """VP2's credential_selection: the caller's entries, then VP1's string-valued captures not already set.

    nuts-node ``auth/client/iam/openid4vp.go applyCapturedFieldsToSelection``: additive, the
    EHR's key wins, non-string values skipped, the caller's map never changed.
    """
    merged = dict(selection or {})
    for key, value in captured.items():
        if key not in merged and isinstance(value, str):
            merged[key] = value
    return merged


def shared_fields(first: Mapping[str, Any], second: Mapping[str, Any]) -> list[str]:
    """The field ids both VPs resolved: the cross-VP bindings the two definitions declare."""
    return sorted(set(first) & set(second))


def binding_mismatches(first: Mapping[str, Any], second: Mapping[str, Any]) -> list[str]:
    """The shared field ids whose values differ between VP1 and VP2."""
    return [key for key in shared_fields(first, second) if first[key] != second[key]]


def is_delegation(
    credential_types: tuple[str, ...] | list[str],
    issuer: str,
    subjects: list[str],
    *,
    organization: str,
    service_provider: str,
) -> bool:
    """A delegation credential issued by ``organization`` to ``service_provider`` (GFI-004)."""
    return DELEGATION_TYPE in credential_types and issuer == organization and service_provider in subjects
