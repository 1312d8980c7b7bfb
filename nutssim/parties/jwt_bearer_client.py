"""The client side of the two-VP RFC 7523 jwt-bearer token request (GFI-004; nuts-node master, experimental).

nuts-node ``auth/client/iam/openid4vp.go requestJwtBearerAccessToken`` at d2ad162: VP1 from
the care organization's wallet answering the ``organization`` PD (``assertion``), VP2 from
the service provider's wallet answering the ``service_provider`` PD (``client_assertion``),
both PDs from the local policy, VP1's id-bearing field values merged into VP2's
``credential_selection``, each VP its own nonce, no ``client_id`` (RFC 7521 §4.2: the client
is authenticated by its assertion) and the DPoP proof signed with the service provider's key.
The engagement rules (flag, metadata, PDs) fail with the reference's texts and never fall
back to the single-VP flow (policy.rst "When the two-VP flow runs").
"""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any, Protocol

from nutssim.messages import HttpRequest, HttpResponse
from nutssim.parties.base import Context, expect_rule, fail_rule
from nutssim.parties.core import Subject
from nutssim.parties.oauth_client import token_from_response
from nutssim.parties.wallet import BuiltPresentation
from nutssim.specs import nuts_policy, pex, rfc7523, rfc9449


class Client(Protocol):
    """What the two-VP flow uses of the client role (``parties.client``)."""

    experimental_jwt_bearer_client: bool
    jwt_bearer_client_id: bool

    def _build_presentation(
        self,
        ctx: Context,
        subject: Subject,
        meta: dict[str, Any],
        pd: Any,
        templates: list[dict[str, Any]],
        selection: Any,
    ) -> BuiltPresentation: ...


def check_flag(ctx: Context, client: Client) -> None:
    """openid4vp.go RequestServiceAccessToken: the experimental flag, before any discovery."""
    expect_rule(ctx, client.experimental_jwt_bearer_client, rfc7523.FLAG_OFF, detail="flag is false")


def check_engagement(ctx: Context, meta: dict[str, Any]) -> None:
    """openid4vp.go RequestServiceAccessToken: the AS advertises the jwt-bearer grant."""
    grants = meta.get("grant_types_supported")
    advertised = isinstance(grants, list) and rfc7523.GRANT_TYPE in grants
    expect_rule(ctx, advertised, rfc7523.NOT_ADVERTISED, detail=f"grant_types_supported: {grants}")


def local_profile(ctx: Context, subject: Subject, scope: str) -> tuple[nuts_policy.ProfileMatch, str]:
    """profile_validation.go loadAndValidateProfile plus the service_provider PD: the profile and scope."""
    if subject.policy is None:
        fail_rule(ctx, rfc7523.NO_POLICY)
    try:
        found: nuts_policy.ProfileMatch = subject.policy.find_profile(scope)
    except (nuts_policy.ScopeNotFound, nuts_policy.AmbiguousScope) as exc:
        fail_rule(ctx, rfc7523.NO_PROFILE, reason=exc)
    if found.scope_policy == "profile-only" and found.other_scopes:
        from nutssim.specs import nuts_rfc021

        fail_rule(ctx, nuts_rfc021.PROFILE_ONLY, detail=f"extra scopes: {' '.join(found.other_scopes)}")
    definitions = found.profile.definitions
    expect_rule(ctx, "organization" in definitions, rfc7523.NO_ORGANIZATION_PD, detail="", scope=found.scope)
    expect_rule(
        ctx,
        rfc7523.SERVICE_PROVIDER in definitions,
        rfc7523.NO_SERVICE_PROVIDER_PD,
        detail="",
        scope=found.scope,
    )
    # profile-only: the profile's own scope is forwarded (loadAndValidateProfile resolvedScope).
    return found, found.scope if found.scope_policy == "profile-only" else scope


def request_two_vp(
    ctx: Context,
    client: Client,
    organization: Subject,
    service_provider: Subject,
    meta: dict[str, Any],
    scope: str,
    *,
    templates: list[dict[str, Any]],
    selection: dict[str, str] | None,
    use_dpop: bool,
) -> Generator[HttpRequest, HttpResponse, tuple[dict[str, Any], str | None, str]]:
    """Build VP1 and VP2, POST the jwt-bearer token request; the AS's token, the DPoP kid and the scope."""
    check_engagement(ctx, meta)
    found, resolved_scope = local_profile(ctx, organization, scope)
    org_pd = found.profile.definitions["organization"]
    sp_pd = found.profile.definitions[rfc7523.SERVICE_PROVIDER]
    vp1 = client._build_presentation(ctx, organization, meta, org_pd, templates, selection)
    # ResolveConstraintsFields over VP1's credentials: re-matching them picks what the wallet picked.
    picked = pex.match_definition(org_pd, list(vp1.credentials), selection=selection).mapping()
    captured = pex.extract_claims([(org_pd, picked)])
    merged = rfc7523.captured_selection(selection, captured.claims)
    ctx.check(
        "client.cross_vp_capture",
        "nuts-node policy.rst 'Cross-VP binding via shared field.id'; "
        "openid4vp.go applyCapturedFieldsToSelection",
        True,
        f"credential_selection for VP2: {merged}",
    )
    # Each VP its own nonce (requestJwtBearerAccessToken: "reuse would let a verifier confuse the two").
    vp2 = client._build_presentation(ctx, service_provider, meta, sp_pd, templates, merged)
    form = {
        "grant_type": rfc7523.GRANT_TYPE,
        "assertion": _raw(vp1),
        "client_assertion_type": rfc7523.CLIENT_ASSERTION_TYPE,
        "client_assertion": _raw(vp2),
        "scope": resolved_scope,
    }
    if client.jwt_bearer_client_id:  # not the reference: a client that also names itself (RFC 7521 §4.2)
        form["client_id"] = service_provider.url
    headers = {"Accept": "application/json"}
    key = service_provider.wallet.identity(vp2.holder).key  # the SP presents and uses the token
    if use_dpop:
        headers["DPoP"] = rfc9449.make_proof(
            key, htm="POST", htu=meta["token_endpoint"], now=ctx.now(), rng=ctx.rng
        )
    response = yield HttpRequest.post_form(meta["token_endpoint"], form, headers)
    return token_from_response(ctx, response), key.kid if use_dpop else None, resolved_scope


def _raw(built: BuiltPresentation) -> str:
    return built.vp if isinstance(built.vp, str) else json.dumps(built.vp)
