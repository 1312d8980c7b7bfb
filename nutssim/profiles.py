"""Profiles and control switches (ARCHITECTURE principle 7): behaviour is a profile, not a fork.

``nuts-node`` reproduces the reference implementation with its known gaps
(PROTOCOL.md §7); ``strict`` follows the specifications to the letter. Each security
control can be switched off on its own, so a lesson can show an attack failing, then
succeeding without that control.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from nutssim.errors import InputError, did_you_mean

PROFILES = ("nuts-node", "strict")

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
    "internal_api_isolation": "a node's internal API (:8081) answers only the node's own EHR and "
    "resource server, as a deployment firewalls it (nuts-node docs: the internal port is never public)",
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

    def __post_init__(self) -> None:
        if self.name not in PROFILES:
            raise InputError(
                f"unknown profile {self.name!r}",
                hint=did_you_mean(self.name, PROFILES, listing=False) or f"use one of {', '.join(PROFILES)}",
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
            )
        )

    @property
    def strict(self) -> bool:
        """True under the ``strict`` profile."""
        return self.name == "strict"

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
        return " ".join([self.name, *(f"-{c}" for c in off)])


def as_profile(value: str | Profile | None) -> Profile:
    """Accept a profile name or object."""
    if value is None:
        return Profile()
    return value if isinstance(value, Profile) else Profile(value)
