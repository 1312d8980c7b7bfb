"""Cases of the two-VP RFC 7523 jwt-bearer token request (issue #20; GFI-004, scenario ``s2s-jwt-bearer``).

Every case runs the scenario with ``client_id=true`` so the ``nuts-node-gf`` AS (project-gf,
which requires ``client_id``) gets that far; ``nuts-node`` never sends the request (master's
AS does not advertise the grant, so master's client refuses: ``NOT_SENT``). The outcomes
show what each version does with a VP2 it should refuse: project-gf never reads
``client_assertion`` (``bearer_token.go handleJWTBearerTokenRequest``: "TODO: support
client_assertion"), so every attack that changes only VP2 on the wire is granted there (one
that moves VP1 too, or fails in the client, is refused earlier); ``strict`` refuses it by the check
named, and the vulnerable variant (that check's control off) shows what the next layer does.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from nutssim import jose
from nutssim.catalogue.attacker import is_token_request, resign
from nutssim.catalogue.base import Expect, Family, Observation, last_exchange, observe_flow, observe_response
from nutssim.messages import HttpRequest
from nutssim.models.credential import Credential
from nutssim.network import Tamper
from nutssim.parties.node import Subject
from nutssim.scenarios.jwt_bearer import JwtBearerWorld, issue_delegation
from nutssim.scenarios.s2s import shipped_policy
from nutssim.specs import rfc7523, vc_jwt

TOKEN = "token request"
JWT_BEARER = Family(JwtBearerWorld, flow="s2s", scenario="s2s-jwt-bearer", step=TOKEN)
GF = {"client_id": True}  # what the project-gf AS requires; the master client does not send it

NOT_ADVERTISED = f'authorization server does not advertise "{rfc7523.GRANT_TYPE}" in grant_types_supported'
NOT_SENT = Expect("denied", "unsupported_grant_type", NOT_ADVERTISED, "client.jwt_bearer_advertised")
GRANTED = Expect("granted")
BINDING = "cross-VP binding field 'delegating_organization' differs between assertion and client_assertion"
DELEGATION = f"client_assertion holds no {rfc7523.DELEGATION_TYPE} issued by the assertion's signer"
NO_MATCH = "presentation does not match presentation definition"
SHARED = "assertion and client_assertion share a replay value"
REFS = ("RFC 7521 §4.2", "RFC 7523 §3", "GFI-004", "PROTOCOL.md §1.5", "ATTACKS.md 3.1")


def per_profile(strict: Expect, gf: Expect = GRANTED) -> dict[str, Expect]:
    """nuts-node never sends; project-gf grants unless told; strict as given."""
    return {"nuts-node": NOT_SENT, "nuts-node-gf": gf, "strict": strict}


# -- building blocks ---------------------------------------------------------------------------------------
def vp_of(world: JwtBearerWorld, holder: Subject, credentials: list[Credential], **claims: Any) -> str:
    """A fresh JWT VP by ``holder`` for this AS over ``credentials``; ``claims`` override (aud, exp…)."""
    now = world.sim.clock.now()
    token = vc_jwt.present(
        credentials,
        holder.identities[0].key,
        holder=holder.did,
        audience=world.authorization_server.url,
        nonce=world.sim.rng.token(),
        now=now,
        lifetime=5,
        jti=f"{holder.did}#{world.sim.rng.uuid()}",
    )
    return resign(token, holder.identities[0].key, claims=claims) if claims else token


def held(subject: Subject, type_: str) -> list[Credential]:
    """The credentials of ``type_`` in ``subject``'s wallet."""
    return [c for c in subject.wallet.credentials if type_ in c.types]


def other_organization(world: JwtBearerWorld) -> Subject:
    """A second registered care organization on its own node (Kliniek Zuid)."""
    clinic = world.sim.add_node("kliniek.example", name="Kliniek node").add_subject(
        "Kliniek Zuid", id="kliniek"
    )
    world.register.issue_organization_credential(clinic, name=clinic.name, city="Zwolle")
    return clinic


def change_token_request(world: JwtBearerWorld, change: Callable[[HttpRequest], HttpRequest]) -> Observation:
    """Run the flow with ``change`` applied to its token request on the wire."""
    world.sim.network.interceptors.append(Tamper(is_token_request, change))
    return observe_flow(world.run())


def with_client_assertion(build: Callable[[JwtBearerWorld], str]) -> Callable[[JwtBearerWorld], Observation]:
    """The act of a case that replaces VP2 (the client_assertion) with ``build(world)``."""
    return lambda world: change_token_request(world, lambda r: r.with_form(client_assertion=build(world)))


# == VP2 not bound to VP1 ==================================================================================
def _delegated_by_clinic(world: JwtBearerWorld) -> str:
    delegation = issue_delegation(world.sim, other_organization(world), world.service_provider, add=False)
    certification = held(world.service_provider, rfc7523.SERVICE_PROVIDER_TYPE)
    return vp_of(world, world.service_provider, [*certification, delegation])


JWT_BEARER.declare(
    id="s2s-jwt-bearer-delegation-other-issuer",
    title="VP2's delegation issued by another organization than VP1's signer",
    attack="the service provider presents a delegation from Kliniek Zuid while VP1 is the GP practice's",
    control="cross_vp_binding",
    act=with_client_assertion(_delegated_by_clinic),
    expected=per_profile(Expect("denied", "invalid_grant", BINDING, "token.cross_vp_binding")),
    vulnerable=per_profile(GRANTED),
    refs=("GFI-004 cross-VP binding", "nuts-node policy.rst 'Cross-VP binding via shared field.id'", *REFS),
    options=GF,
)


def _swap(world: JwtBearerWorld) -> Observation:
    def change(request: HttpRequest) -> HttpRequest:
        form = request.form
        return request.with_form(assertion=form["client_assertion"], client_assertion=form["assertion"])

    return change_token_request(world, change)


JWT_BEARER.declare(
    id="s2s-jwt-bearer-vps-swapped",
    title="VP1 and VP2 swapped: the service provider's VP as the assertion",
    attack="a man in the middle swaps assertion and client_assertion: the vendor as the grant's subject",
    control="pd_reevaluation",
    act=_swap,
    expected=per_profile(
        Expect("denied", "invalid_request", NO_MATCH, "token.pd_fulfil"),
        gf=Expect("denied", "invalid_request", NO_MATCH, "token.pd_fulfil"),
    ),
    # Without the PD check project-gf grants the vendor a token as if it were the care organization;
    # strict still refuses: VP2 (now the practice's) holds no delegation from VP1's signer.
    vulnerable=per_profile(Expect("denied", "invalid_grant", DELEGATION, "token.delegation")),
    refs=("RFC 7521 §4.1", "nuts-node project-gf validation.go BasicPresentationEvaluator", *REFS),
    options=GF,
)


@JWT_BEARER.case(
    id="s2s-jwt-bearer-vp2-replayed-with-other-vp1",
    title="A captured VP2 replayed alongside another organization's VP1",
    attack="an eavesdropper keeps the vendor's VP2 and sends it with Kliniek Zuid's own VP1, without DPoP",
    control="cross_vp_binding",
    expected=per_profile(Expect("denied", "invalid_grant", BINDING, "token.cross_vp_binding")),
    # The next layer: VP2's nonce was burned by the good run (RFC021 §4.4).
    vulnerable=per_profile(
        Expect("denied", "invalid_verifiable_presentation", "presentation nonce has already been used")
    ),
    refs=("RFC 7523 §3 item 7 (jti)", "RFC021 §4.4", *REFS),
    options=GF,
)
def vp2_replayed(world: JwtBearerWorld) -> Observation:
    """Good run, then VP2 again with a fresh VP1 of another organization."""
    flow = observe_flow(world.run())
    captured = last_exchange(world.sim.trace, TOKEN)
    if captured is None:  # nuts-node: the client never sent one
        return flow
    clinic = other_organization(world)
    vp1 = vp_of(world, clinic, held(clinic, "NutsOrganizationCredential"))
    request = captured.request.with_form(assertion=vp1)
    request = HttpRequest(
        request.method, request.url, tuple(h for h in request.headers if h[0] != "DPoP"), request.body
    )
    since = world.sim.trace.exchanges[-1].seq
    return observe_response(world.sim.network.send(request, sender="attacker"), world.sim.trace, since)


def _certification_only(world: JwtBearerWorld) -> str:
    return vp_of(world, world.service_provider, held(world.service_provider, rfc7523.SERVICE_PROVIDER_TYPE))


JWT_BEARER.declare(
    id="s2s-jwt-bearer-never-delegated",
    title="A service provider acting for an organization that never delegated to it",
    attack="the vendor sends VP2 with its certification but no delegation from the practice",
    control="pd_reevaluation",
    act=with_client_assertion(_certification_only),
    expected=per_profile(Expect("denied", "invalid_request", NO_MATCH, "token.pd_fulfil")),
    vulnerable=per_profile(Expect("denied", "invalid_grant", DELEGATION, "token.delegation")),
    refs=("GFI-004 delegation", *REFS),
    options=GF,
)

JWT_BEARER.declare(
    id="s2s-jwt-bearer-no-delegation-in-wallet",
    title="The vendor's wallet holds no delegation: the client refuses to build VP2",
    attack="the practice never issued the vendor a ServiceProviderDelegationCredential",
    control=None,
    act=lambda world: observe_flow(world.run()),
    expected=per_profile(
        Expect("denied", "invalid_request", "wallet could not fulfill requirements", "client.pd_match"),
        gf=Expect("denied", "invalid_request", "wallet could not fulfill requirements", "client.pd_match"),
    ),
    refs=("nuts-node policy.rst 'Cross-VP binding' (pe.ErrNoCredentials, 412)", *REFS),
    options={**GF, "delegated": False},
)


# == VP2's own checks ======================================================================================
JWT_BEARER.declare(
    id="s2s-jwt-bearer-client-assertion-other-audience",
    title="client_assertion minted for another authorization server",
    attack="the vendor's VP2 names another AS as its audience (a VP2 forwarded from there)",
    control="vp_audience",
    act=with_client_assertion(
        lambda w: vp_of(
            w,
            w.service_provider,
            list(w.service_provider.wallet.credentials),
            aud="https://other.example/oauth2/x",
        )
    ),
    expected=per_profile(
        Expect(
            "denied",
            "invalid_client",
            "presentation audience/domain is missing or does not match",
            "token.audience",
        )
    ),
    vulnerable=per_profile(GRANTED),
    refs=("RFC 7523 §3 item 3", "RFC021 §4.2.6", *REFS),
    options=GF,
)

JWT_BEARER.declare(
    id="s2s-jwt-bearer-vp2-lifetime-too-long",
    title="client_assertion valid for a minute",
    attack="the vendor's VP2 lives 60 s instead of at most 5 s, widening its replay window",
    control="vp_max_lifetime",
    act=with_client_assertion(
        lambda w: vp_of(
            w, w.service_provider, list(w.service_provider.wallet.credentials), exp=w.sim.clock.now() + 60
        )
    ),
    expected=per_profile(
        Expect("denied", "invalid_client", "presentation is valid for too long", "token.vp_lifetime")
    ),
    vulnerable=per_profile(GRANTED),
    refs=("RFC 7523 §3 item 4", "RFC021 §4.2.9", *REFS),
    options=GF,
)

JWT_BEARER.declare(
    id="s2s-jwt-bearer-wrong-client-assertion-type",
    title="client_assertion_type that is not jwt-bearer",
    attack="the request names a SAML client assertion type for the VP2 it carries",
    control="client_assertion",
    act=lambda world: change_token_request(
        world,
        lambda r: r.with_form(
            client_assertion_type="urn:ietf:params:oauth:client-assertion-type:saml2-bearer"
        ),
    ),
    expected=per_profile(
        Expect("denied", "invalid_client", "client_assertion_type must be", "token.client_assertion_type")
    ),
    vulnerable=per_profile(GRANTED),
    refs=("RFC 7523 §2.2", "RFC 7521 §4.2.1", *REFS),
    options=GF,
)


def _same_replay_values(world: JwtBearerWorld) -> Callable[[HttpRequest], HttpRequest]:
    def change(request: HttpRequest) -> HttpRequest:
        vp1 = jose.decode(request.form["assertion"]).payload
        vendor = world.service_provider
        vp2 = vp_of(world, vendor, list(vendor.wallet.credentials), nonce=vp1["nonce"], jti=vp1["jti"])
        return request.with_form(client_assertion=vp2)

    return change


JWT_BEARER.declare(
    id="s2s-jwt-bearer-shared-nonce",
    title="VP2 carries VP1's nonce and jti",
    attack="the vendor signs VP2 with the nonce and jti of VP1, so one burned value would cover both",
    control="vp_nonce_store",
    act=lambda world: change_token_request(world, _same_replay_values(world)),
    # The distinct-value rule does not depend on the store: the vulnerable variant is refused alike.
    expected=per_profile(Expect("denied", "invalid_grant", SHARED, "token.distinct_nonces")),
    vulnerable=per_profile(Expect("denied", "invalid_grant", SHARED, "token.distinct_nonces")),
    refs=(
        "RFC 7523 §3 item 7",
        "nuts-node openid4vp.go requestJwtBearerAccessToken (each VP its own nonce)",
        *REFS,
    ),
    options=GF,
)


# == the policy: a binding field in one PD only ============================================================
def _binding_only_in_sp_pd() -> dict[str, Any]:
    policy = copy.deepcopy(shipped_policy("jwt-bearer"))
    fields = policy["eoverdracht"]["organization"]["input_descriptors"][0]["constraints"]["fields"]
    fields[:] = [f for f in fields if f.get("id") != "delegating_organization"]
    return policy


@JWT_BEARER.case(
    id="s2s-jwt-bearer-binding-field-missing",
    title="The binding field id in the service_provider PD only: VP2 is not bound by the policy",
    attack="the organization PD lacks 'delegating_organization'; the vendor holds Kliniek Zuid's delegation",
    control="cross_vp_binding",
    # strict's GFI-004 delegation rule does not depend on the policy's field ids.
    expected=per_profile(Expect("denied", "invalid_grant", DELEGATION, "token.delegation")),
    vulnerable=per_profile(GRANTED),
    refs=("nuts-node policy.rst 'Cross-VP binding via shared field.id'", "GFI-004 delegation", *REFS),
    options={**GF, "delegated": False, "policy": _binding_only_in_sp_pd()},
)
def binding_field_missing(world: JwtBearerWorld) -> Observation:
    """Nothing is captured from VP1, so the client picks whatever delegation the vendor holds."""
    issue_delegation(world.sim, other_organization(world), world.service_provider)
    return observe_flow(world.run())
