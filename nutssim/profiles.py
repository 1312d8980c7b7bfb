"""Profiles and control switches (ARCHITECTURE principle 7): behaviour is a profile, not a fork.

``nuts-node`` reproduces the reference implementation at its pinned commit with its known
gaps (PROTOCOL.md §7); ``nuts-node-gf`` reproduces another version of the reference, its
``project-gf`` branch, whose authorization server accepts the RFC 7523 ``jwt-bearer`` grant;
``strict`` follows the specifications to the letter. ``REFERENCES`` says which commit each
profile reproduces (``nutssim profiles`` lists it). Each security
control can be switched off on its own, so a lesson can show an attack failing, then
succeeding without that control.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from nutssim.errors import InputError, did_you_mean

PROFILES = ("nuts-node", "nuts-node-gf", "strict")
#: Readings of Presentation Exchange a profile can be told to use instead of its own (issue #22):
#: the reference's ``vcr/pe`` or the DIF PE v2.0.0 text (``specs/pex/semantics.py`` presets).
PEX_SEMANTICS = ("nuts-node", "strict")

#: The nuts-node repository every ``nuts-node*`` profile reproduces a version of.
REFERENCE_REPO = "github.com/nuts-foundation/nuts-node"


@dataclass(frozen=True)
class Reference:
    """What a profile reproduces: a repository at a commit (and branch), and what differs from master."""

    repo: str | None  # None: the specifications, not an implementation
    commit: str | None
    branch: str | None
    reproduces: str
    #: how the AS answers the RFC 7523 jwt-bearer grant: "refused" (master), "single-vp" (project-gf:
    #: ``assertion`` only, ``client_assertion`` ignored) or "two-vp" (RFC 7523 + GFI-004).
    jwt_bearer_as: str
    #: the lestrrat-go/jwx release its go.mod pins ("v3.2.0" on master, "v2.1.6" on project-gf):
    #: ``specs/jwx_text.py words`` gives its crit rule and its words; None: the specifications.
    jwx: str | None = None

    @property
    def jwx_base64(self) -> bool:
        """Whether it reads a JWS's parts as jwx does (``jose.decode(jwx_base64=True)``): jwx v2.1.6
        and v3.2.0 both guess each part's encoding (``internal/base64 Guess``) and let Go decode it,
        in ``jws.Parse`` and in v3's ``jws.VerifyCompactFast`` behind ``jwt.ParseString`` (strict
        base64url there is jwx v4's, its "Incompatible Changes from v3 to v4")."""
        return self.jwx is not None


#: Profile name → the version it reproduces.
REFERENCES: dict[str, Reference] = {
    "nuts-node": Reference(
        REFERENCE_REPO,
        "d2ad162840596e4ad14f531b34fc2e0e2ab1bb39",
        "master",
        "master at the pinned commit: RFC021 vp_token-bearer; the two-VP jwt-bearer client behind "
        "auth.experimental.jwtbearerclient; the AS refuses jwt-bearer "
        "(auth/api/iam/api.go HandleTokenRequest)",
        "refused",
        jwx="v3.2.0",
    ),
    "nuts-node-gf": Reference(
        REFERENCE_REPO,
        "1e7e87bc325352ac428fb229769d88b5977291de",
        "project-gf",
        "the project-gf branch's AS (auth/api/iam/bearer_token.go handleJWTBearerTokenRequest): "
        "jwt-bearer advertised and accepted on the assertion alone, client_assertion not read; "
        "crit accepted on JWTs and DPoP proofs (its jwx v2.1.6 never reads it), jwt.ParseString's "
        "failures in jwx v2.1.6's words; "
        "everything else modelled as nuts-node (project-gf's own client is not modelled)",
        "single-vp",
        jwx="v2.1.6",
    ),
    "strict": Reference(
        None,
        None,
        None,
        "the specifications: RFC021, RFC 7521/7523 (two VPs: assertion and client_assertion), "
        "GFI-004's delegation binding, RFC 9449, OpenID4VP",
        "two-vp",
    ),
}

#: Every switchable control, with what it protects (PROTOCOL.md §4.1).
CONTROLS: dict[str, str] = {
    "dpop_required": "the resource server refuses bearer use of DPoP-bound tokens (RFC 9449 §7.1)",
    "dpop_proof": "DPoP proofs are validated at the token endpoint and resource server (RFC 9449 §4.3)",
    "vp_nonce_store": "the 10 s used-nonce store refuses a replayed s2s VP (RFC021 §4.4)",
    "vp_audience": "the VP aud/domain must be this authorization server (RFC021 §4.2.6)",
    "vp_max_lifetime": "an s2s VP may live at most 5 s (RFC021 §4.2.9)",
    "vp_signature": "VP and VC signatures are verified (RFC021 §4.2.4)",
    "signer_is_subject": "the VP signer must be every credential's subject (RFC021 §4.2.5)",
    "pd_reevaluation": "the AS re-runs PD matching over the presented credentials (PROTOCOL.md §3.7)",
    "revocation_check": "StatusList2021 revocation is checked (PROTOCOL.md §3.6)",
    "pkce": "the code exchange requires the PKCE code_verifier (RFC 7636 §4.6)",
    "jar_signature": "request objects must be signed by a key of the client_id (RFC 9101 §6)",
    "jar_single_use": "a request_uri is served once (RFC 9101 §5.2)",
    "verifier_nonce_binding": "an OpenID4VP VP nonce must belong to the posted state, once (OpenID4VP §6)",
    "code_single_use": "an authorization code is redeemed once (RFC 6749 §4.1.2)",
    "state_check": "the client's callback requires a known state (RFC 6749 §10.12)",
    "token_cache_subject_key": "the client's token cache is keyed on the requesting subject as well as the "
    "request body (nuts-node auth/api/iam/api.go accessTokenRequestCacheKey)",
    "vci_nonce": "an OpenID4VCI key proof carries a fresh c_nonce of the issuer, used once "
    "(OpenID4VCI 1.0 §7, §8.2)",
    "vci_proof_signature": "the issuer verifies an OpenID4VCI key proof with the key its kid names "
    "(OpenID4VCI 1.0 Appendix F.1)",
    "vci_entitlement": "the issuer authorizes only the credential configurations an organization is "
    "enrolled for (RFC 9396 §5, OpenID4VCI 1.0 §5.1.1)",
    "client_assertion": "the jwt-bearer AS reads client_assertion: its type and VP2's own checks "
    "(RFC 7521 §4.2, RFC 7523 §3.2)",
    "cross_vp_binding": "the jwt-bearer AS binds VP2 to VP1: shared field ids equal, a delegation issued "
    "by VP1's signer to VP2's signer (GFI-004)",
    "internal_api_isolation": "a node's internal API (:8081) answers only the node's own EHR and "
    "resource server, as a deployment firewalls it (nuts-node docs: the internal port is never public)",
    "pdp_channel_tls": "the AS reaches its PDP over TLS that authenticates the PDP, so an on-path party "
    "cannot change or replay its answers (AuthZEN 1.0 §11; nuts-node policy/authzen/client.go NewClient)",
    "pdp_fail_closed": "a PDP that errs, times out or cannot be reached refuses the token instead of "
    "granting the requested scopes (AuthZEN 1.0 §7.2.1; nuts-node policy/scope_granter.go)",
    "user_scope_policy": "the authorization-code flow applies the profile's scope policy too (strict; "
    "the reference does not, nuts-node issue #4202)",
    "rs_pep": "a resource server configured with a PDP asks it about every request with the introspected "
    "claims, as a PEP (nuts-knooppunt pep/nginx/js/authorize.js)",
    "http_cache": "a node's HTTP client serves GETs from its RFC 9111 response cache (nuts-node "
    "http/client/caching.go); off: every fetch is an exchange on the wire",
    "startup_checks": "a node refuses to start when a credential profile's scope_policy is dynamic and no "
    "AuthZEN endpoint is configured (nuts-node policy/local.go LocalPDP.Configure); off: it runs and answers "
    "server_error at use",
}


@dataclass(frozen=True)
class Profile:
    """A named behaviour with its control switches and options."""

    name: str = "nuts-node"
    controls: Mapping[str, bool] = field(default_factory=dict)
    #: strict option: an explicit trusted-issuer list is consulted (PROTOCOL.md §3.11).
    trusted_issuer_lists: bool = False
    #: strict option: the token endpoint demands a DPoP server nonce (RFC 9449 §8).
    dpop_server_nonce: bool = False
    #: The reading of Presentation Exchange, if not the profile's own: one of ``PEX_SEMANTICS``. With it
    #: a sweep holds the profile fixed and changes only how wallets and verifiers read a PD.
    pex_semantics: str | None = None

    def __post_init__(self) -> None:
        if self.name not in PROFILES:
            raise InputError(
                f"unknown profile {self.name!r}",
                hint=did_you_mean(self.name, PROFILES, listing=False) or f"use one of {', '.join(PROFILES)}",
            )
        if self.pex_semantics is not None and self.pex_semantics not in PEX_SEMANTICS:
            raise InputError(
                f"unknown pex_semantics {self.pex_semantics!r}",
                hint=did_you_mean(str(self.pex_semantics), PEX_SEMANTICS, listing=False)
                or f"use one of {', '.join(PEX_SEMANTICS)}, or None for the profile's own",
            )
        unknown = sorted(set(self.controls) - set(CONTROLS))
        if unknown:
            hint = did_you_mean(unknown[0], CONTROLS)
            raise InputError(f"unknown control(s) {', '.join(unknown)}", hint=hint)
        for control, value in self.controls.items():
            if not isinstance(value, bool):  # {"pkce": "off"} is truthy: it would leave pkce on
                raise InputError(
                    f"control {control!r} is {value!r}; a control is switched with True (on) or False (off)",
                    hint=f'Profile("{self.name}").without("{control}")',
                )

    def __hash__(self) -> int:
        return hash(
            (
                self.name,
                tuple(sorted(self.controls.items())),
                self.trusted_issuer_lists,
                self.dpop_server_nonce,
                self.pex_semantics,
            )
        )

    @property
    def strict(self) -> bool:
        """True under the ``strict`` profile."""
        return self.name == "strict"

    @property
    def nuts_node(self) -> bool:
        """True under any version of the reference (``nuts-node``, ``nuts-node-gf``): not ``strict``."""
        return self.name.startswith("nuts-node")

    @property
    def reference(self) -> Reference:
        """The version this profile reproduces (``REFERENCES``)."""
        return REFERENCES[self.name]

    @property
    def family(self) -> str:
        """The profile an expectation table falls back to: ``nuts-node`` for each version of the reference."""
        return "nuts-node" if self.nuts_node else self.name

    def on(self, control: str) -> bool:
        """Whether ``control`` is switched on (every control is on unless switched off)."""
        if control not in CONTROLS:
            raise InputError(f"unknown control {control!r}", hint=did_you_mean(control, CONTROLS))
        return self.controls.get(control, True)

    def without(self, *controls: str) -> Profile:
        """Return this profile with ``controls`` switched off."""
        return replace(self, controls={**self.controls, **dict.fromkeys(controls, False)})

    @property
    def label(self) -> str:
        """Name plus the switched-off controls, e.g. ``nuts-node -pkce``."""
        off = sorted(k for k, v in self.controls.items() if not v)
        pex = [f"pex={self.pex_semantics}"] if self.pex_semantics else []
        return " ".join([self.name, *pex, *(f"-{c}" for c in off)])


def as_profile(value: str | Profile | None) -> Profile:
    """Accept a profile name or object."""
    if value is None:
        return Profile()
    return value if isinstance(value, Profile) else Profile(value)
