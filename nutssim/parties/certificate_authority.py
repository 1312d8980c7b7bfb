"""A certificate authority on the network: a root and an intermediate CA, their CRLs served over HTTP.

It issues UZI-like organization certificates (``specs/x509_ca.py``) and serves each CA's CRL
(RFC 5280 §5) at the URL its certificates name in their CRL distribution point. The wire is
text in nutssim, so the DER CRL travels as a latin-1 string (byte for byte the DER) with
``Content-Type: application/pkix-crl`` (RFC 2585 §4.2).
"""

from __future__ import annotations

from typing import Any

from nutssim.messages import HttpRequest, HttpResponse, text_response
from nutssim.parties.base import Context, Party
from nutssim.rng import SimRandom
from nutssim.specs import x509_ca

#: How long a served CRL is valid (nextUpdate - thisUpdate); simulated (PKIoverheid CRLs run days).
CRL_VALIDITY = 7 * 86400
CRL_TYPE = "application/pkix-crl"


class CertificateAuthority(Party):
    """A simulated UZI register CA: root → intermediate, issuing and revoking organization certificates."""

    role = "ca"

    def __init__(
        self, id: str, name: str, host: str, rng: SimRandom, clock_now: Any, *, not_before: int
    ) -> None:
        super().__init__(id, name, host)
        # A stream per CA host: two CAs of the same name (a look-alike root) get different keys.
        rng = self._rng = rng.child(f"ca:{self.host}")
        self._now = clock_now
        self.root = x509_ca.root_ca(rng, f"{name} Root CA", not_before, crl_url=self.crl_url("root"))
        self.intermediate = x509_ca.intermediate_ca(
            rng, self.root, f"{name} Server CA", not_before, crl_url=self.crl_url("server")
        )
        self.issued: list[x509_ca.Issued] = []
        #: When False every CRL URL answers 503 (a fault: the CRL server is down).
        self.crl_online = True
        self.on_revoke: list[Any] = []  # callbacks (ca, certificate) for the trace
        self.route("GET", "/crl/{name}.crl", self.serve_crl, "CRL (RFC 5280)")

    def crl_url(self, name: str) -> str:
        """Where the CRL of CA ``name`` (``root`` or ``server``) is served."""
        return f"{self.host}/crl/{name}.crl"

    def issue_certificate(
        self, org: x509_ca.Organization, *, days: int = 365, not_before: int | None = None
    ) -> x509_ca.Issued:
        """A leaf certificate for ``org`` under the intermediate, valid ``days`` from ``not_before``."""
        start = self._now() if not_before is None else not_before
        leaf = x509_ca.leaf_certificate(self._rng, self.intermediate, org, start, days)
        self.issued.append(leaf)
        return leaf

    def chain(self, leaf: x509_ca.Issued) -> list[x509_ca.Issued]:
        """The x5c order: leaf, intermediate, root."""
        return [leaf, self.intermediate, self.root]

    def revoke(self, leaf: x509_ca.Issued) -> None:
        """Put ``leaf`` on the intermediate's CRL from now on."""
        self.intermediate.revoked[leaf.serial] = self._now()
        for callback in self.on_revoke:
            callback(self, leaf)

    def serve_crl(self, request: HttpRequest, ctx: Context, name: str) -> HttpResponse:
        """GET /crl/{name}.crl: the CA's current CRL, freshly signed (thisUpdate now)."""
        if not self.crl_online:
            return text_response(503, "CRL distribution point unavailable")
        ca = {"root": self.root, "server": self.intermediate}.get(name)
        if ca is None:
            return text_response(404, "CRL not found")
        now = ctx.now()
        der = x509_ca.crl(ca, now, now + CRL_VALIDITY, number=max(1, now))
        return text_response(200, der.decode("latin-1"), CRL_TYPE)
