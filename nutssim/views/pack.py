"""A sample pack for a pilot vendor: one scenario run written out as files that read without Python.

``write_pack`` builds a scenario, records every wallet, runs the flow, records the wallets
again, and writes (issue #20 item 6)::

    README.md                   what is where, the run's parameters and outcome
    manifest.json               scenario, seed, profile, options, outcome; every file with its SHA-256
    exchanges/index.md          one row per exchange: time, from → to, step, status, failed checks
    exchanges/NNN-step.http     the request and the response as HTTP/1.1 messages, bytes as sent
    exchanges/NNN-step.jwt.json every JWT (and JSON-LD credential) in that exchange, decoded
    wallets/before.json         every party's wallet (DIDs, credentials raw and decoded) before the run
    wallets/after.json          … and after it
    policies/SUBJECT.json       each authorization server's policy file (scope → presentation definitions)
    policies/rego/FILE.rego     each PDP's Rego policy, as loaded
    trace/trace.json            the full trace (``nutssim-trace/1``, ARCHITECTURE.md "Trace export")
    trace/report.html           the self-contained HTML report (diagram, every exchange inspected)

Deterministic: the files hold only simulated time and seeded values, so the same scenario, seed,
profile and options give the same bytes (``tests/views/test_pack.py``). Parties are read by their
attributes (``subjects``, ``wallet``, ``policy``, ``sessions``), never imported: views stay above
them (ARCHITECTURE principle 10).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from nutssim.errors import InputError
from nutssim.profiles import Profile, Reference
from nutssim.trace import Exchange, Trace
from nutssim.views.jwt_explain import iso
from nutssim.views.tokens import Token, find_tokens, tokens_in

FORMAT = "nutssim-pack/1"
CRLF = "\r\n"


@dataclass(frozen=True)
class Pack:
    """What ``write_pack`` wrote: the directory, the files (relative, sorted) and the run's outcome."""

    directory: Path
    files: tuple[str, ...]
    outcome: Mapping[str, Any]


def write_pack(
    scenario: str,
    out: str | Path,
    *,
    seed: int = 0,
    profile: str | Profile = "nuts-node",
    options: Mapping[str, Any] | None = None,
) -> Pack:
    """Run ``scenario`` and write its sample pack into ``out`` (created; it must be empty if it exists)."""
    from nutssim import scenarios  # the views' one use of the layer below: build the world to pack

    directory = Path(out)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InputError("the pack directory is not empty", where=str(directory), hint="give a new directory")
    world = scenarios.build(scenario, seed=seed, profile=profile, **dict(options or {}))
    before = wallet_state(world.sim.parties)
    world.run()
    after = wallet_state(world.sim.parties)
    trace = world.sim.trace
    files: dict[str, bytes] = {}
    files.update(exchange_files(trace))
    files["wallets/before.json"] = _json(before)
    files["wallets/after.json"] = _json(after)
    files.update(policy_files(world.sim.parties))
    files["trace/trace.json"] = (trace.to_json() + "\n").encode()
    files["trace/report.html"] = _html(trace)
    files["manifest.json"] = _json(_manifest(scenario, seed, world, options or {}, files))
    files["README.md"] = _readme(scenario, seed, world, trace, files, options or {}).encode()
    for name, data in sorted(files.items()):
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return Pack(directory, tuple(sorted(files)), trace.outcome or {})


def _html(trace: Trace) -> bytes:
    from nutssim.views.report import html_report

    return html_report(trace).encode()


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode()


# -- exchanges -----------------------------------------------------------------------------------------
def exchange_files(trace: Trace) -> dict[str, bytes]:
    """``exchanges/``: one ``.http`` per exchange, a ``.jwt.json`` where it carries tokens, an index."""
    files: dict[str, bytes] = {}
    width = max(3, len(str(len(trace.exchanges))))
    rows = []
    for x in trace.exchanges:
        stem = f"exchanges/{x.seq:0{width}d}-{slug(x.label)}"
        files[f"{stem}.http"] = http_bytes(x)
        tokens = find_tokens(x, trace)
        if tokens:
            files[f"{stem}.jwt.json"] = _json([token_record(t) for t in tokens])
        rows.append(_index_row(x, Path(stem).name, bool(tokens)))
    files["exchanges/index.md"] = _index(rows).encode()
    return files


def slug(label: str) -> str:
    """A file-name part from an exchange label: lower case, ``-`` between words."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:60] or "exchange"


def http_bytes(x: Exchange) -> bytes:
    """The request, then the response, as HTTP/1.1 messages (CRLF line ends, as on the wire).

    ``Host`` and ``Content-Length`` are written when the recorded message has none: nutssim's
    messages carry no transport headers, a real client sends both (RFC 9112 §3.2, §6.2).
    """
    request, response = x.request, x.response
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    head = [f"{request.method} {target} HTTP/1.1", *_headers(request.headers, request.body, parts.netloc)]
    reason = response.reason or _reason(response.status)
    answer = [f"HTTP/1.1 {response.status} {reason}".rstrip(), *_headers(response.headers, response.body)]
    text = CRLF.join(head) + CRLF + CRLF + request.body
    text += CRLF + CRLF + CRLF.join(answer) + CRLF + CRLF + response.body
    return text.encode("utf-8", "surrogatepass")


def _headers(headers: Iterable[tuple[str, str]], body: str, host: str | None = None) -> list[str]:
    given = list(headers)
    names = {k.lower() for k, _ in given}
    lines = [f"Host: {host}"] if host and "host" not in names else []
    lines += [f"{k}: {v}" for k, v in given]
    if body and "content-length" not in names:
        lines.append(f"Content-Length: {len(body.encode('utf-8', 'surrogatepass'))}")
    return lines


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def token_record(token: Token) -> dict[str, Any]:
    """A decoded token for the pack: where it was, header, payload, signature status, nested ones."""
    out: dict[str, Any] = {
        "number": token.number,
        "where": token.where,
        "kind": token.kind,
        "title": token.title,
    }
    if token.kind == "jwt":
        out |= {"header": token.header, "payload": token.payload, "signature": token.signature}
        out["compact"] = token.raw
    else:
        out |= {"document": token.payload, "proof": token.signature}
    if token.children:
        out["nested"] = [token_record(c) for c in token.children]
    return out


def _index_row(x: Exchange, stem: str, tokens: bool) -> str:
    failed = ", ".join(c.id for c in x.failed_checks) or "—"
    files = f"[{stem}.http]({stem}.http)" + (f", [jwt]({stem}.jwt.json)" if tokens else "")
    nested = "↳ " if x.parent else ""
    return (
        f"| {x.seq} | {iso(x.time)} | {x.sender} → {x.receiver} | {nested}{_cell(x.label)} "
        f"| {x.response.status} | {_cell(failed)} | {files} |"
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _index(rows: list[str]) -> str:
    head = [
        "# Exchanges",
        "",
        "Every message delivered by the simulated network, in order. `↳` marks a call made while",
        "another exchange was being handled (its parent). Each `.http` file holds the request and",
        "the response as HTTP/1.1 messages; `jwt` decodes every JWT or credential it carries.",
        "",
        "| seq | time (simulated, UTC) | from → to | step | status | failed checks | files |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    return "\n".join([*head, *rows]) + "\n"


# -- wallets and policies ------------------------------------------------------------------------------
def wallet_state(parties: Iterable[Any]) -> dict[str, Any]:
    """Every wallet on the network: each node subject's, each user session's, the issuers' held ones."""
    state: dict[str, Any] = {}
    for party in parties:
        for subject_id, subject in sorted(getattr(party, "subjects", {}).items()):
            state[f"{party.id}/{subject_id}"] = _wallet(getattr(subject, "wallet", None))
        sessions = getattr(getattr(party, "sessions", None), "user_sessions", None)
        for session in sessions.values() if sessions is not None else ():
            state[f"{party.id}/session:{session.identity.did[:40]}…"] = _wallet(session.wallet)
    return state


def _wallet(wallet: Any) -> dict[str, Any]:
    if wallet is None:
        return {"dids": [], "credentials": []}
    return {
        "dids": [i.did for i in wallet.identities],
        "credentials": [_credential(c) for c in wallet.credentials],
    }


def _credential(credential: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": credential.type_label,
        "format": credential.format,
        "id": credential.id,
        "issuer": credential.issuer,
        "raw": credential.raw,
    }
    if credential.format == "jwt_vc":
        decoded = tokens_in(credential.raw)
        if decoded:
            out["header"], out["payload"] = decoded[0].header, decoded[0].payload
    return out


def policy_files(parties: Iterable[Any]) -> dict[str, bytes]:
    """``policies/``: each subject's policy file as loaded, each PDP's Rego sources."""
    files: dict[str, bytes] = {}
    for party in parties:
        for subject_id, subject in sorted(getattr(party, "subjects", {}).items()):
            policy = getattr(subject, "policy", None)
            if policy is not None:
                files[f"policies/{subject_id}.json"] = _json(policy.to_dict())
        rego = getattr(getattr(party, "policy", None), "sources", None)
        if isinstance(rego, Mapping):
            for name, text in sorted(rego.items()):
                files[f"policies/rego/{Path(name).name}"] = str(text).encode()
    return files


# -- manifest and README -------------------------------------------------------------------------------
def _manifest(
    scenario: str, seed: int, world: Any, options: Mapping[str, Any], files: Mapping[str, bytes]
) -> dict[str, Any]:
    outcome = world.sim.trace.outcome or {}
    return {
        "format": FORMAT,
        "scenario": scenario,
        "seed": seed,
        "profile": world.sim.profile.label,
        "options": {k: options[k] for k in sorted(options)},
        "outcome": {"status": outcome.get("status"), "error": outcome.get("error")},
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }


def _command(scenario: str, seed: int, profile: str, options: Mapping[str, Any]) -> str:
    """The command line that makes this pack again."""
    parts = ["nutssim pack", scenario, f"--seed {seed}", f"--profile {profile}"]
    for key in sorted(options):
        value = options[key]
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        parts.append(f"--option '{key}={text}'")
    return " ".join(parts) + " --out DIR"


def _readme(
    scenario: str, seed: int, world: Any, trace: Trace, files: Mapping[str, bytes], options: Mapping[str, Any]
) -> str:
    outcome = trace.outcome or {}
    error = outcome.get("error") or {}
    result = str(outcome.get("status"))
    if error:
        result += f" — `{error.get('error')}`: {error.get('error_description')}"
    policies = sorted(n for n in files if n.startswith("policies/"))
    lines = [
        f"# Sample pack: `{scenario}`",
        "",
        f"Made by nutssim with `{_command(scenario, seed, world.sim.profile.name, options)}`.",
        f"Profile `{world.sim.profile.label}`: " + _reproduces(world.sim.profile.reference),
        f"Outcome: **{result}**.",
        "",
        "Everything here is a simulated run: real keys, signatures and messages, simulated time",
        "(ISO times are the simulated clock) and test identities. The same command gives the same",
        "bytes. Nothing needs Python to read: the files are Markdown, JSON, HTTP text and one HTML page.",
        "",
        "## Layout",
        "",
        "| path | what |",
        "| --- | --- |",
        "| `exchanges/index.md` | every exchange in order: time, from → to, step, HTTP status, "
        "failed checks |",
        "| `exchanges/NNN-step.http` | request then response as HTTP/1.1 messages (CRLF, bodies as sent; "
        "`Host` and `Content-Length` added where the simulator records none) |",
        "| `exchanges/NNN-step.jwt.json` | every JWT (and JSON-LD credential) in that exchange: header, "
        "payload, signature status, the compact form, nested tokens |",
        "| `wallets/before.json`, `wallets/after.json` | each party's wallet before and after the run: "
        "its DIDs and credentials (raw, and decoded for JWTs) |",
        "| `policies/` | the policy files in force: "
        + (", ".join(f"`{p}`" for p in policies) or "none")
        + " |",
        "| `trace/trace.json` | the full trace (`nutssim-trace/1`): parties, exchanges with their checks and "
        "spec references, facts, outcome |",
        "| `trace/report.html` | the same trace as one self-contained page: sequence diagram, every "
        "exchange inspected |",
        "| `manifest.json` | the run's parameters and the SHA-256 of every other file |",
        "",
        "## Parties",
        "",
        "| id | name | role | host |",
        "| --- | --- | --- | --- |",
    ]
    for party in trace.parties.values():
        lines.append(f"| `{party.id}` | {party.name} | {party.role} | {party.host} |")
    lines += [
        "",
        "## Re-verifying",
        "",
        "Every JWT is recorded exactly as sent (`compact` in the `.jwt.json` files, and in the `.http`",
        "bodies); the keys are in the DID documents served in the exchanges (`did.json` requests).",
        "Any JOSE library can verify them; their time claims are against the simulated clock above.",
        "",
    ]
    return "\n".join(lines)


def _reproduces(reference: Reference) -> str:
    """What the pack's profile reproduces, with the reference's repository and commit (``REFERENCES``)."""
    if reference.repo is None:
        return f"{reference.reproduces}."
    return f"{reference.reproduces} ({reference.repo} {reference.branch} at `{reference.commit}`)."
