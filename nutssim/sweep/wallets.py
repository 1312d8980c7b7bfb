"""Wallet compositions: which organization credential the requester holds when the flow starts.

Each composition is a function that changes a built world (its ``requester`` subject, its
``register`` issuer) before the flow begins. All of them act on the requester's
NutsOrganizationCredential (PROTOCOL.md §3.3), keeping its format (``jwt_vc`` or
``ldp_vc``); the employee credential of the s2s flow is self-attested by the EHR and is left
alone. Register your own with ``@wallet("name")``; in a sweep, register it at import time of
a module the workers import (or before the process pool forks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nutssim.errors import InputError
from nutssim.jose import KeyPair
from nutssim.models.credential import Credential, credential_document, organization_subject
from nutssim.parties.issuer import Issuer
from nutssim.parties.node import Subject
from nutssim.scenarios import NodesWorld, World
from nutssim.specs import vc_jwt

WalletComposition = Callable[[World], None]

ORGANIZATION_CREDENTIAL = "NutsOrganizationCredential"
DAY = 24 * 3600

WALLETS: dict[str, WalletComposition] = {}


def wallet(name: str) -> Callable[[WalletComposition], WalletComposition]:
    """Decorator: register a wallet composition under ``name``."""

    def wrap(fn: WalletComposition) -> WalletComposition:
        WALLETS[name] = fn
        return fn

    return wrap


def composition(name: str) -> WalletComposition:
    """The composition registered as ``name``."""
    try:
        return WALLETS[name]
    except KeyError:
        raise InputError(
            f"unknown wallet composition {name!r}", where="wallet", hint=f"use one of {', '.join(WALLETS)}"
        ) from None


def _nodes(world: World) -> NodesWorld:
    """``world`` with its requester and register, or an InputError for a scenario without them."""
    if not isinstance(world, NodesWorld):
        raise InputError(
            f"scenario {world.name!r} has no requester and register; wallet compositions need them",
            where="wallet",
        )
    return world


def _requester(world: World) -> Subject:
    return _nodes(world).requester


def _register(world: World) -> Issuer:
    return _nodes(world).register


def organization_credentials(world: World) -> list[Credential]:
    """The requester's NutsOrganizationCredentials."""
    subject = _requester(world)
    return [c for c in subject.wallet.credentials if ORGANIZATION_CREDENTIAL in c.types]


def _take(world: World) -> str:
    """Remove the requester's organization credentials; return the format to reissue in."""
    held = organization_credentials(world)
    subject = _requester(world)
    for credential in held:
        subject.wallet.remove(credential)
    return held[0].format if held else "jwt_vc"


@wallet("ok")
def ok(world: World) -> None:
    """The register's credential, valid and unrevoked (the scenario as built)."""


@wallet("missing")
def missing(world: World) -> None:
    """No organization credential: the wallet cannot fulfil the PD (PROTOCOL.md §1.3, 412)."""
    _take(world)


@wallet("expired")
def expired(world: World) -> None:
    """The register's credential expired a day ago (PROTOCOL.md §3.5 step 3, validity time)."""
    fmt = _take(world)
    subject = _requester(world)
    now = world.sim.clock.now()
    _register(world).issue_organization_credential(
        subject, name=subject.name, issued_at=now - 2 * DAY, valid_for=DAY, format=fmt
    )


@wallet("revoked")
def revoked(world: World) -> None:
    """The register revoked the credential on its StatusList2021 (PROTOCOL.md §3.6)."""
    held = organization_credentials(world)
    register = _register(world)
    revocable = [c for c in held if c.document.get("credentialStatus")]
    if not revocable:
        fmt = _take(world)
        subject = _requester(world)
        revocable = [
            register.issue_organization_credential(subject, name=subject.name, revocable=True, format=fmt)
        ]
    for credential in revocable:
        register.revoke(credential)


@wallet("self_issued")
def self_issued(world: World) -> None:
    """The requester signed its own NutsOrganizationCredential (the self-issued gap, PROTOCOL.md §3.11)."""
    fmt = _take(world)
    subject = _requester(world)
    identity = subject.identities[0]
    now = world.sim.clock.now()
    document = credential_document(
        id=f"{identity.did}#{world.sim.rng.uuid()}",
        type=ORGANIZATION_CREDENTIAL,
        issuer=identity.did,
        issuance_date=vc_jwt.to_rfc3339(now),
        expiration_date=vc_jwt.to_rfc3339(now + 365 * DAY),
        subject=organization_subject(identity.did, subject.name, "Utrecht"),
    )
    subject.wallet.add(_sign(document, identity.key, fmt))


@wallet("untrusted_issuer")
def untrusted_issuer(world: World) -> None:
    """A credential from an issuer the policy does not name (a rogue register, PROTOCOL.md §3.11)."""
    fmt = _take(world)
    subject = _requester(world)
    rogue = world.sim.add_issuer("Rogue register", host="rogue-register.example")
    rogue.issue_organization_credential(subject, name=subject.name, format=fmt)


@wallet("other_subject")
def other_subject(world: World) -> None:
    """The register's credential names another organization's DID (RFC021 §4.2.5: signer is subject)."""
    fmt = _take(world)
    subject = _requester(world)
    other = subject.node.add_subject("Apotheek Noord", id="apotheek-noord")
    _register(world).issue_organization_credential(
        subject, name=subject.name, subject_did=other.did, format=fmt
    )


def _sign(document: dict[str, Any], key: KeyPair, fmt: str) -> Credential:
    """Sign a VC document as ``jwt_vc`` or ``ldp_vc`` (JsonWebSignature2020) with ``key``."""
    if fmt == "ldp_vc":
        from nutssim.specs import jws2020

        document = {**document, "@context": [*document["@context"], jws2020.JWS2020_CONTEXT]}
        created = vc_jwt.from_rfc3339(str(document["issuanceDate"]))
        signed = jws2020.sign_credential(
            document, key, verification_method=key.kid or document["issuer"], created=created
        )
        return vc_jwt.credential_from_json(signed)
    return vc_jwt.credential_from_jwt(vc_jwt.issue_credential(document, key))
