"""The organization wallet: credentials a subject holds, and the presentations it builds.

The wallet is part of a node (PROTOCOL.md §0): it never talks to anyone. It selects
credentials for a presentation definition with the PEX engine and signs the VP with the
holder DID's first assertionMethod key (PROTOCOL.md §1.3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nutssim.models.credential import VC_CONTEXT, Credential
from nutssim.parties.base import ClientError, Context
from nutssim.parties.identity import Identity
from nutssim.rng import SimRandom
from nutssim.specs import openid4vp, pex, vc_jwt
from nutssim.specs.rfc6749 import INVALID_REQUEST

VP_ASSERTION_LIFETIME = 5  # vpAssertionLifetime, PROTOCOL.md §0

#: VP formats a node can produce, in the reference's order of preference (``pe.ChooseVPFormat``).
VP_FORMAT_PREFERENCE = ("jwt_vp", "ldp_vp")
#: OpenID4VP metadata names of the formats (PROTOCOL.md §1.1).
METADATA_FORMAT_NAMES = {
    "jwt_vp_json": "jwt_vp",
    "jwt_vc_json": "jwt_vc",
    "jwt_vp": "jwt_vp",
    "jwt_vc": "jwt_vc",
    "ldp_vp": "ldp_vp",
    "ldp_vc": "ldp_vc",
}


@dataclass(frozen=True)
class BuiltPresentation:
    """A VP with the submission that maps it onto a presentation definition."""

    vp: str | dict[str, Any]
    format: str
    submission: dict[str, Any]
    holder: str
    credentials: tuple[Credential, ...]
    nonce: str


class Wallet:
    """Credentials held by a set of DIDs, and the presentations built from them."""

    def __init__(self, identities: Sequence[Identity]) -> None:
        self.identities = list(identities)
        self.credentials: list[Credential] = []

    def add(self, credential: Credential | str | dict[str, Any]) -> Credential:
        """Store a credential (a ``Credential``, a JWT VC, or a JSON-LD VC)."""
        if not isinstance(credential, Credential):
            credential = vc_jwt.parse_credential(credential)
        self.credentials.append(credential)
        return credential

    def remove(self, credential: Credential) -> None:
        """Drop a credential from the wallet."""
        self.credentials = [c for c in self.credentials if c is not credential]

    def held_by(self, did: str) -> list[Credential]:
        """Credentials whose subject is ``did`` (PROTOCOL.md §1.3: filtered on credentialSubject.id)."""
        return [c for c in self.credentials if did in c.subject_ids]

    def identity(self, did: str) -> Identity:
        """The identity of one of this wallet's DIDs."""
        for identity in self.identities:
            if identity.did == did:
                return identity
        raise KeyError(did)


def pex_semantics(ctx: Context) -> pex.Semantics:
    """The profile's reading of Presentation Exchange: ``pex.NUTS_NODE`` or ``pex.STRICT`` (issue #22).

    Under ``nuts-node`` the wallet and the verifier read a PD as ``vcr/pe`` at d2ad162 does
    (``presentation_definition.go Match``/``matchFilter``, ``presentation_submission.go
    Validate``); under ``strict`` as the DIF PE v2.0.0 text does (``specs/pex/semantics.py``). A
    profile told otherwise (``Profile.pex_semantics``) reads it that way, all else unchanged.
    """
    return pex.semantics_for(ctx.profile.pex_semantics or ctx.profile.name)


def complete_self_attested(
    templates: Iterable[dict[str, Any]], holder: str, now: int, rng: SimRandom, *, reference: bool = False
) -> list[Credential]:
    """Complete self-asserted credentials (PROTOCOL.md §1.3): no proof; ids as the profile mints them.

    nuts-node ``vcr/credential/util.go AutoCorrectSelfAttestedCredential`` fills only what is
    absent and mints the id as a bare UUID (``ssi.ParseURI(uuid.NewString())``); strict mints
    ``holder#uuid``, an absolute URI as VC Data Model 1.1 §4.2 requires of ``id``.
    """
    out = []
    for template in templates:
        document = dict(template)
        document.setdefault("@context", [VC_CONTEXT])
        if reference:
            document.setdefault("id", rng.uuid())
            document.setdefault("issuanceDate", vc_jwt.to_rfc3339(now))
        else:
            document["id"] = f"{holder}#{rng.uuid()}"
            document["issuanceDate"] = vc_jwt.to_rfc3339(now)
        document["issuer"] = holder
        subject = dict(document.get("credentialSubject") or {})
        subject["id"] = holder
        document["credentialSubject"] = subject
        out.append(vc_jwt.credential_from_json(document))
    return out


def choose_vp_format(
    node_formats: Iterable[str],
    metadata_formats: Mapping[str, Any] | None,
    pd_formats: Mapping[str, Any] | None,
    *,
    reference: bool = False,
) -> str | None:
    """The VP format node, AS metadata and PD share: ``Formats.Match`` (nuts-node), or by name (strict)."""
    if reference:
        return _reference_vp_format(node_formats, metadata_formats, pd_formats)
    allowed = set(node_formats)
    if metadata_formats is not None:
        allowed &= {METADATA_FORMAT_NAMES.get(f, f) for f in metadata_formats}
    if pd_formats is not None:
        pd = {METADATA_FORMAT_NAMES.get(f, f) for f in pd_formats}
        vp_level = {f for f in pd if f.endswith("_vp")}
        if vp_level:  # DIF PE v2 §5 "format": a PD that names only VC formats leaves the VP format open
            allowed &= vp_level
    return next((f for f in VP_FORMAT_PREFERENCE if f in allowed), None)


#: ``credential.OpenIDSupportedFormats`` parameter aliases (vcr/credential/formats.go).
_OPENID_PARAMS = {"alg_values_supported": "alg", "proof_type_values_supported": "proof_type"}
#: ``credential.DIFClaimFormats`` format aliases (vcr/credential/formats.go).
_DIF_FORMATS = {"jwt_vp_json": "jwt_vp", "jwt_vc_json": "jwt_vc"}
_Formats = dict[str, dict[str, list[str]]]


def _reference_vp_format(
    node_formats: Iterable[str],
    metadata_formats: Mapping[str, Any] | None,
    pd_formats: Mapping[str, Any] | None,
) -> str | None:
    """nuts-node ``vcr/holder/presenter.go:79-86``: node ∩ metadata ∩ PD, then ``pe.ChooseVPFormat``.

    The node's ``DefaultOpenIDSupportedFormats`` (VP and VC formats) are matched with the
    verifier's ``vp_formats_supported`` (absent: nothing matches) and then, if the PD has a
    ``format``, with it. A PD naming only ``ldp_vc`` leaves no VP format, so no VP is built.
    """
    node = _params(openid4vp.vp_formats_supported(node_formats), _OPENID_PARAMS)
    candidates = _formats_match(node, _params(metadata_formats, _OPENID_PARAMS), {})
    if pd_formats is not None:
        candidates = _formats_match(candidates, _params(pd_formats, {}), _DIF_FORMATS)
    # vcr/pe/format.go ChooseVPFormat: jwt_vp, then jwt_vp_json (as jwt_vp), then ldp_vp.
    if "jwt_vp" in candidates or "jwt_vp_json" in candidates:
        return "jwt_vp"
    return "ldp_vp" if "ldp_vp" in candidates else None


def _params(formats: Mapping[str, Any] | None, aliases: dict[str, str]) -> _Formats:
    """Formats with their parameter names normalized (``Formats.normalizeParameters``); junk dropped."""
    out: _Formats = {}
    for name, params in (formats or {}).items():
        if isinstance(params, pex.FormatSpec):  # a parsed PD's format designation
            params = params.model_dump(exclude_none=True)
        if isinstance(params, Mapping):
            out[str(name)] = {
                aliases.get(str(k), str(k)): [str(v) for v in values]
                for k, values in params.items()
                if isinstance(values, list)
            }
    return out


def _formats_match(this: _Formats, other: _Formats, other_aliases: dict[str, str]) -> _Formats:
    """``credential.Formats.Match``: formats both support, each with the parameter values both allow.

    A format whose parameters share no value is dropped, as is one with no parameters left.
    """
    result: _Formats = {}
    for name, params in this.items():
        theirs = other.get(other_aliases.get(name, name))
        if theirs is None:
            continue
        shared = {p: [v for v in values if v in theirs[p]] for p, values in params.items() if p in theirs}
        shared = {p: values for p, values in shared.items() if values}
        if shared:
            result[name] = shared
    return result


def sign_presentation(
    ctx: Context,
    wallet: Wallet,
    did: str,
    match: pex.MatchResult,
    vp_format: str,
    audience: str,
    *,
    nonce: str | None = None,
    lifetime: int = VP_ASSERTION_LIFETIME,
) -> BuiltPresentation:
    """Sign the VP over the matched credentials with the holder DID's first assertion key."""
    key = wallet.identity(did).key
    credentials: list[Credential] = list(match.credentials)
    nonce = nonce or ctx.rng.token()
    submission = pex.dump(match.submission(submission_id=ctx.rng.uuid(), vp_format=vp_format))
    if vp_format == "jwt_vp":
        vp: str | dict[str, Any] = vc_jwt.present(
            credentials,
            key,
            holder=did,
            audience=audience,
            nonce=nonce,
            now=ctx.now(),
            lifetime=lifetime,
            jti=f"{did}#{ctx.rng.uuid()}",
        )
    else:
        from nutssim.specs import jws2020

        if any(isinstance(c.raw, str) for c in credentials):  # a verifier's metadata chose ldp_vp
            raise ClientError(
                INVALID_REQUEST,
                "JWT credentials cannot be embedded in a JSON-LD presentation",
                status=412,
            )
        document = jws2020.presentation_ld(
            presentation_id=f"{did}#{ctx.rng.uuid()}",
            holder=did,
            credentials=[c.raw for c in credentials if isinstance(c.raw, dict)],  # all are, checked above
        )
        vp = jws2020.sign_presentation(
            document,
            key,
            verification_method=key.kid or did,
            created=ctx.now(),
            expires=ctx.now() + lifetime,
            domain=audience,
            challenge=nonce,
            nonce=nonce,
        )
    ctx.fact(
        "presentation_built",
        holder=did,
        format=vp_format,
        audience=audience,
        nonce=nonce,
        credentials=[c.id for c in credentials],
    )
    return BuiltPresentation(vp, vp_format, submission, did, tuple(credentials), nonce)
