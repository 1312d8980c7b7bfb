"""The crypto backend seam: which library computes ECDSA, EdDSA and RSA for ``nutssim.jose``.

Two backends give the same bytes for the same seed (ARCHITECTURE principle 6):

- ``cryptography`` (OpenSSL), the default wherever it can be imported;
- ``pure``, the pure-Python ``ecdsa`` package (RFC 6979 deterministic ECDSA, RFC 8032 Ed25519)
  plus RFC 8017 RSA verification written here, for interpreters without a ``cryptography``
  wheel (Pyodide, a JupyterLite browser tab). It is chosen automatically there.

Choose one with the environment variable ``NUTSSIM_CRYPTO`` (``cryptography``, ``pure`` or
``auto``, read once at import) or with :func:`use_backend` / :func:`using_backend` at run time.
Keys remember the backend that made them; select the backend before building a simulation.
Everything above this module (JWK parsing, thumbprints, JWS framing, time checks) is shared
code, so error messages and traces do not depend on the backend either.
"""

from __future__ import annotations

import importlib
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from nutssim.errors import SimulationError, did_you_mean

#: The backends nutssim knows, in order of preference for ``auto``.
BACKENDS: tuple[str, ...] = ("cryptography", "pure")
#: The environment variable read at import: ``cryptography``, ``pure`` or ``auto`` (the default).
ENV_VAR = "NUTSSIM_CRYPTO"
_MODULES = {"cryptography": "nutssim.jose._pyca", "pure": "nutssim.jose._pure"}


class BackendUnavailable(SimulationError):
    """A crypto backend was asked for that does not exist or whose library cannot be imported."""


# -- what a backend deals in ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ECPublicNumbers:
    """An EC public point on a named NIST curve (``P-256``, ``P-384``, ``P-521``)."""

    crv: str
    x: int
    y: int


@dataclass(frozen=True)
class OKPPublicBytes:
    """An Ed25519 public key: its 32-byte encoding (RFC 8032 §5.1.5)."""

    crv: str
    x: bytes


@dataclass(frozen=True)
class RSAPublicNumbers:
    """An RSA public key: modulus and public exponent."""

    n: int
    e: int


PublicNumbers = ECPublicNumbers | OKPPublicBytes | RSAPublicNumbers


class PrivateOps(Protocol):
    """What a backend's private key does: sign, and export for other libraries."""

    def sign(self, alg: str, data: bytes) -> bytes:
        """Return the raw JWS signature (``r || s`` for ECDSA, RFC 7518 §3.4) of ``data``."""
        ...

    def private_pem(self) -> bytes:
        """Return the key as unencrypted PKCS#8 PEM."""
        ...


class PublicOps(Protocol):
    """What a backend's public key does: verify a raw JWS signature."""

    def verify(self, alg: str, data: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` is a valid ``alg`` signature of ``data``."""
        ...


class Backend(Protocol):
    """A crypto library behind the seam; ``alg`` always fits the key when these are called."""

    name: str

    def ec_private(self, crv: str, scalar: int) -> tuple[PrivateOps, ECPublicNumbers]:
        """Build the private key ``scalar`` on curve ``crv`` and return it with its public point."""
        ...

    def ed25519_private(self, seed: bytes) -> tuple[PrivateOps, OKPPublicBytes]:
        """Build the Ed25519 key of a 32-byte seed (RFC 8032 §5.1.5) with its public key."""
        ...

    def public(self, numbers: PublicNumbers) -> PublicOps:
        """Build a verification key; ``numbers`` were validated by the caller."""
        ...

    def wrap_private(self, private: object) -> tuple[PrivateOps, PublicNumbers] | None:
        """Adopt a private key object of this backend's library, or ``None`` if it is not one."""
        ...


# -- choosing one --------------------------------------------------------------------------------------------
_loaded: dict[str, Backend] = {}


def load_backend(name: str) -> Backend:
    """Return the backend called ``name``, importing its library on first use."""
    if name not in _MODULES:
        raise BackendUnavailable(
            f"unknown crypto backend {name!r}: {did_you_mean(name, (*BACKENDS, 'auto'))}"
        )
    if name not in _loaded:
        try:
            module = importlib.import_module(_MODULES[name])
        except ImportError as exc:
            raise BackendUnavailable(
                f"crypto backend {name!r} cannot be used here: {exc}; "
                f"hint: install it (pip install {_LIBRARY[name]}) or choose another of {', '.join(BACKENDS)}"
            ) from None
        _loaded[name] = module.BACKEND
    return _loaded[name]


_LIBRARY = {"cryptography": "cryptography", "pure": "ecdsa"}


def available_backends() -> tuple[str, ...]:
    """The backends whose library imports on this interpreter, in order of preference."""
    out = []
    for name in BACKENDS:
        try:
            load_backend(name)
        except BackendUnavailable:
            continue
        out.append(name)
    return tuple(out)


def _auto() -> str:
    """The first backend that imports here; ``cryptography`` wherever it can be had."""
    names = available_backends()
    if not names:
        raise BackendUnavailable(
            "no crypto backend can be imported: hint: pip install cryptography (or ecdsa for the pure one)"
        )
    return names[0]


def _from_environment() -> str:
    """The backend ``NUTSSIM_CRYPTO`` asks for; a value that cannot be honoured warns and falls back."""
    wanted = os.environ.get(ENV_VAR, "auto").strip().lower() or "auto"
    if wanted == "auto":
        return _auto()
    try:
        load_backend(wanted)
    except BackendUnavailable as exc:
        # A warning, not an error: a bad variable must not make ``import nutssim`` fail.
        fallback = _auto()
        warnings.warn(f"{ENV_VAR}={wanted!r} ignored, using {fallback!r}: {exc}", stacklevel=2)
        return fallback
    return wanted


_active: str | None = None


def backend_name() -> str:
    """The name of the backend new keys are made with."""
    global _active
    if _active is None:
        _active = _from_environment()
    return _active


def current_backend() -> Backend:
    """The backend new keys are made with."""
    return load_backend(backend_name())


def use_backend(name: str) -> str:
    """Make ``name`` (``cryptography``, ``pure`` or ``auto``) the backend of new keys; return the previous."""
    global _active
    previous = backend_name()
    chosen = _auto() if name == "auto" else name
    load_backend(chosen)  # refuse an unknown or unavailable backend before switching
    _active = chosen
    return previous


@contextmanager
def using_backend(name: str) -> Iterator[Backend]:
    """Within the block, make new keys with backend ``name``; restore the previous one after."""
    previous = use_backend(name)
    try:
        yield current_backend()
    finally:
        use_backend(previous)
