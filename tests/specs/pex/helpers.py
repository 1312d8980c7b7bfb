"""Shared test material: reference data, credential builders and a credential parser."""

from __future__ import annotations

import base64
import json
from typing import Any

from nutssim.models.credential import Credential
from nutssim.specs.pex.match import raw_key
from tests.reference_data import NUTS_REFERENCE, TEST_DATA

NUTS = NUTS_REFERENCE
HOLDER = "did:web:holder.example:iam:1"
ISSUER = "did:web:issuer.example:iam:9"


def load_json(relative: str) -> Any:
    """A JSON file of the vendored reference data (tests/data/)."""
    return json.loads((TEST_DATA / relative).read_text(encoding="utf-8"))


def policy_pd(file: str, scope: str, owner: str = "organization") -> dict[str, Any]:
    """One presentation definition out of a reference policy file."""
    return load_json(f"nuts-reference/policies/{file}")[scope][owner]


def b64(data: Any) -> str:
    """base64url of compact JSON, no padding."""
    text = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(text).rstrip(b"=").decode()


def ldp_vc(
    id: str,
    type: str,
    subject: dict[str, Any] | list[dict[str, Any]],
    *,
    issuer: str = ISSUER,
    proof: str | None = "JsonWebSignature2020",
    **extra: Any,
) -> Credential:
    """A JSON-LD credential (credentialSubject as the issuer wrote it: object, usually)."""
    doc: dict[str, Any] = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "id": id,
        "type": ["VerifiableCredential", type],
        "issuer": issuer,
        "issuanceDate": "2024-01-01T00:00:00Z",
        "credentialSubject": subject,
        **extra,
    }
    if proof:
        doc["proof"] = {"type": proof, "jws": "..", "verificationMethod": f"{issuer}#0"}
    return Credential(raw=doc, document=doc, format="ldp_vc", proof_type=proof)


def jwt_vc(
    id: str,
    type: str,
    subject: dict[str, Any],
    *,
    issuer: str = ISSUER,
    alg: str = "ES256",
    as_list: bool = True,
) -> Credential:
    """A JWT credential whose data-model view carries credentialSubject as an array (the JWT shape)."""
    vc = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential", type],
        "credentialSubject": [subject] if as_list else subject,
    }
    payload = {"iss": issuer, "jti": id, "sub": subject.get("id", HOLDER), "nbf": 1704067200, "vc": vc}
    raw = f"{b64({'alg': alg, 'typ': 'JWT'})}.{b64(payload)}.c2lnbmF0dXJl"
    document = {**vc, "id": id, "issuer": issuer, "issuanceDate": "2024-01-01T00:00:00Z"}
    return Credential(raw=raw, document=document, format="jwt_vc", alg=alg)


def organization(
    id: str = "urn:org:1",
    *,
    name: str = "Zorgcentrum De Linde",
    city: str = "Utrecht",
    jwt: bool = False,
    **kw: Any,
) -> Credential:
    """A NutsOrganizationCredential in either shape."""
    subject = {"id": HOLDER, "organization": {"name": name, "city": city}}
    return (
        jwt_vc(id, "NutsOrganizationCredential", subject, **kw)
        if jwt
        else ldp_vc(id, "NutsOrganizationCredential", subject, **kw)
    )


def employee(
    id: str = "urn:emp:1",
    *,
    identifier: str = "jdoe@linde",
    name: str = "J. Doe",
    role: str = "Verpleegkundige",
    jwt: bool = False,
    **kw: Any,
) -> Credential:
    """A NutsEmployeeCredential in either shape."""
    subject = {"id": HOLDER, "identifier": identifier, "name": name, "roleName": role}
    return (
        jwt_vc(id, "NutsEmployeeCredential", subject, **kw)
        if jwt
        else ldp_vc(id, "NutsEmployeeCredential", subject, **kw)
    )


class Parser:
    """``parse_credential`` for tests: maps a VP member back to the Credential it was built from."""

    def __init__(self, *credentials: Credential) -> None:
        self.known: dict[str, Credential] = {}
        self.add(*credentials)

    def add(self, *credentials: Credential) -> Parser:
        """Make more credentials known."""
        for c in credentials:
            self.known[raw_key(c)] = c
        return self

    def __call__(self, value: Any, format: str) -> Credential:
        key = value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))
        if key not in self.known:
            if isinstance(value, dict):  # a credential changed in transit: wrap it as it is
                proof = value.get("proof", {}).get("type") if isinstance(value.get("proof"), dict) else None
                return Credential(raw=value, document=value, format="ldp_vc", proof_type=proof)
            raise ValueError("unknown credential")
        return self.known[key]


def ldp_vp(credentials: list[Credential], *, single_as_object: bool = True) -> dict[str, Any]:
    """A JSON-LD VP object as go-did shapes it (one credential: a single object)."""
    raws = [c.raw for c in credentials]
    member: Any = raws[0] if single_as_object and len(raws) == 1 else raws
    return {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER,
        "verifiableCredential": member,
        "proof": {"type": "JsonWebSignature2020"},
    }


def jwt_vp(credentials: list[Credential]) -> str:
    """A compact JWT VP (unsigned for tests) whose vp.verifiableCredential is always an array."""
    vp = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [c.raw for c in credentials],
    }
    payload = {"iss": HOLDER, "sub": HOLDER, "nonce": "n", "vp": vp}
    return f"{b64({'alg': 'ES256', 'kid': HOLDER + '#0'})}.{b64(payload)}.c2ln"


def presentation(credentials: list[Credential], vp_format: str) -> Any:
    """The envelope of one VP of ``vp_format``."""
    return jwt_vp(credentials) if vp_format == "jwt_vp" else ldp_vp(credentials)
