"""A verifier's CRL checker, as the reference's ``pki/validator.go`` (d2ad162); implements ``CRLChecker``.

``checkCRL`` walks the chain root first ("to prevent CRL expiration errors due to revoked CAs
no longer issuing CRLs"); per certificate and per CRL distribution point it downloads the CRL
on first sight (``validateCert``: "initial download if missing"), checks its issuer and
signature (``verifyCRL``), then: a listed serial is ``certificate is revoked`` (even on an
outdated CRL), and ``!now.Before(NextUpdate)`` is ``crl has expired``. The reference refreshes
every CRL in a background loop each hour (``syncInterval``); here a CRL older than that is
refreshed when next used, and a failed refresh keeps the old one (as the loop does). The fail
mode: ``pki.softfail`` defaults to true (``pki/config.go``), so ``crl is missing`` (CRL
unreachable) and ``crl has expired`` are *accepted* under ``nuts-node``; ``strict`` fails
closed (RFC 5280 §6.3: a status that cannot be determined is not "unrevoked").
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from cryptography import x509

from nutssim import causes
from nutssim.causes import Cause
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.specs.did_x509 import name_string
from nutssim.specs.vc_verify import VerificationFailed

SYNC_INTERVAL = 3600  # pki/validator.go syncInterval
ERR_MISSING = "crl is missing"
ERR_EXPIRED = "crl has expired"
ERR_REVOKED = "certificate is revoked"
ERR_UNKNOWN_ISSUER = "unknown certificate issuer"
_REF = "RFC 5280 §6.3; pki/validator.go checkCRL"


@dataclass
class CachedCRL:
    """A downloaded, verified CRL of one endpoint (``revocationList``)."""

    issuer: x509.Certificate
    crl: x509.CertificateRevocationList | None = None
    revoked: frozenset[int] = frozenset()
    last_updated: int | None = None


class _CertError(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class CRLClient:
    """Downloads, verifies and caches CRLs for one verifier; soft-fail as the reference's default."""

    def __init__(
        self,
        cache: dict[str, CachedCRL],
        cas: dict[str, x509.Certificate],
        *,
        softfail: bool,
        record: Callable[..., Any] | None = None,
    ) -> None:
        self.cache = cache
        self.cas = cas
        self.softfail = softfail
        #: ``Context.check``: (id, ref, passed, detail, cause=…).
        self.record: Callable[..., Any] = record or (lambda *a, **k: None)

    def check(self, chain: list[x509.Certificate], now: int) -> Generator[HttpRequest, HttpResponse, None]:
        """``checkCRL``: every certificate root first; revoked fails, missing/expired per soft-fail."""
        for cert in reversed(chain):
            try:
                try:
                    yield from self._validate_cert(cert, now)
                except _CertError as exc:
                    if exc.text != ERR_UNKNOWN_ISSUER:
                        raise
                    self._add_cas(chain)
                    yield from self._validate_cert(cert, now)
            except _CertError as exc:
                self._failed(cert, exc.text)
        self.record("vc.x509.crl", _REF, True, f"{len(chain)} certificate(s) not on a CRL")

    def _failed(self, cert: x509.Certificate, text: str) -> None:
        where = (
            f"subject={name_string(cert.subject)}, S/N={cert.serial_number}, "
            f"issuer={name_string(cert.issuer)}"
        )
        if self.softfail and text in (ERR_MISSING, ERR_EXPIRED):
            self.record(
                "vc.x509.crl",
                "pki/validator.go checkCRL (pki.softfail = true: accepted)",
                True,
                f"soft-fail bypass, certificate accepted: {text}: {where}",
            )
            return
        kind = causes.REVOKED if text == ERR_REVOKED else causes.STATUS_UNKNOWN
        if text == ERR_UNKNOWN_ISSUER:
            kind = causes.VALIDATION
        cause = Cause(kind, "certificate", str(cert.serial_number), reason=text)
        self.record("vc.x509.crl", _REF, False, f"{text}: {where}", cause=cause)
        raise VerificationFailed(f"validation failed: {text}: {where}", check="vc.x509.crl", kind=kind)

    def _validate_cert(self, cert: x509.Certificate, now: int) -> Generator[HttpRequest, HttpResponse, None]:
        for endpoint in _distribution_points(cert):
            entry = self.cache.get(endpoint)
            if entry is None:
                issuer = self.cas.get(name_string(cert.issuer))
                if issuer is None:
                    raise _CertError(ERR_UNKNOWN_ISSUER)
                entry = self.cache[endpoint] = CachedCRL(issuer)
            if entry.last_updated is None or now - entry.last_updated >= SYNC_INTERVAL:
                try:
                    entry = yield from self._update(endpoint, entry, now)
                except _CertError as exc:
                    if entry.last_updated is None:
                        # Soft-fail: a failed download is not a refusal (checkCRL decides below).
                        self.record("vc.x509.crl_download", _REF, self.softfail, f"{endpoint}: {exc.text}")
                        raise _CertError(ERR_MISSING) from None
                    self.record(
                        "vc.x509.crl_download", _REF, True, f"refresh failed, old CRL kept: {exc.text}"
                    )
            if cert.serial_number in entry.revoked:
                raise _CertError(ERR_REVOKED)  # revocation takes precedence over an expired CRL
            next_update = entry.crl.next_update_utc if entry.crl is not None else None
            if next_update is None or not now < int(next_update.timestamp()):
                raise _CertError(ERR_EXPIRED)

    def _update(
        self, endpoint: str, entry: CachedCRL, now: int
    ) -> Generator[HttpRequest, HttpResponse, CachedCRL]:
        response = yield HttpRequest.get(endpoint)
        if response.header("X-Nutssim-Network") or not response.ok:
            raise _CertError(f"downloading CRL: HTTP {response.status}")
        try:
            crl = x509.load_der_x509_crl(response.body.encode("latin-1"))
        except (ValueError, UnicodeEncodeError) as exc:
            raise _CertError(f"parse downloaded CRL: {exc}") from None
        if name_string(crl.issuer) != name_string(entry.issuer.subject):
            raise _CertError(
                f"crl signed by unexpected issuer: expected={name_string(entry.issuer.subject)}, "
                f"got={name_string(crl.issuer)}"
            )
        public = entry.issuer.public_key()
        if not crl.is_signature_valid(public):  # type: ignore[arg-type]
            raise _CertError("crl signature could not be verified")
        updated = CachedCRL(entry.issuer, crl, frozenset(r.serial_number for r in crl), now)
        self.cache[endpoint] = updated
        self.record(
            "vc.x509.crl_download", _REF, True, f"{endpoint}: {len(updated.revoked)} revoked serial(s)"
        )
        return updated

    def _add_cas(self, chain: list[x509.Certificate]) -> None:
        """``addCAs``: every chain certificate by subject, then each one's endpoints under its issuer."""
        for cert in chain:
            self.cas[name_string(cert.subject)] = cert
        for cert in chain:
            issuer = self.cas.get(name_string(cert.issuer))
            if issuer is None:
                raise _CertError(ERR_UNKNOWN_ISSUER)
            for endpoint in _distribution_points(cert):
                self.cache.setdefault(endpoint, CachedCRL(issuer))


def _distribution_points(cert: x509.Certificate) -> list[str]:
    """The certificate's CRL distribution point URIs (Go's ``CRLDistributionPoints``)."""
    try:
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    return [
        str(name.value)
        for point in points
        for name in (point.full_name or [])
        if isinstance(name, x509.UniformResourceIdentifier)
    ]
