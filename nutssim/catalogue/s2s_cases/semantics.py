"""s2s cases where one policy and one wallet get a different grant from a reference node and the PE text.

A nuts-node reads a field's ``filter`` with ``vcr/pe/presentation_definition.go matchFilter``
(at d2ad162): only ``type``/``const``/``enum``/``pattern``, a string passing only a filter typed
``"string"``, an array passing when one element does, every other keyword ignored. DIF PE v2.0.0
§Input Evaluation validates the value found at ``path`` against the filter as a JSON Schema. The
wallet and the verifier of each profile read the policy their way (``pex.NUTS_NODE`` under
``nuts-node``, ``pex.STRICT`` under ``strict``; ``parties/wallet.py pex_semantics``), so these
cases run the same policy under both and expect what each reading grants (FIDELITY.md "PEX
filter semantics"; ATTACKS.md 3.8 #62: the semantics of a PD differ across libraries).
"""

from __future__ import annotations

from typing import Any

from nutssim.catalogue.base import Expect, Observation
from nutssim.catalogue.s2s_cases.common import S2S, good_run, replace_org_credential, self_issued, with_policy
from nutssim.catalogue.s2s_cases.definition import load_policy
from nutssim.scenarios import S2SWorld

#: The honest client finds no credential for the organization descriptor (PROTOCOL.md §1.3, 412).
GRANTED = Expect("granted")
NO_MATCH = Expect(
    "denied",
    "invalid_request",
    "wallet could not fulfill requirements: no credentials fulfil presentation definition "
    "(id=pd_eoverdracht_care_organization_with_employee): no credential for input descriptor "
    "'id_nuts_care_organization_cred'",
    "client.pd_match",
)
MATCH_FILTER = "nuts-node vcr/pe/presentation_definition.go matchFilter @d2ad162"
INPUT_EVALUATION = "DIF PE v2.0.0 §Input Evaluation (the filter is a JSON Schema for the value at path)"


def _field(pd: dict[str, Any], path: str) -> dict[str, Any]:
    """The organization descriptor's field whose first path is ``path``."""
    fields: list[dict[str, Any]] = pd["input_descriptors"][0]["constraints"]["fields"]
    return next(f for f in fields if f["path"][0] == path)


def _type_as_the_reference_writes_it(pd: dict[str, Any]) -> None:
    # The reference's own policies (e2e-tests, docs) test the type array with a string filter.
    _field(pd, "$.type[*]")["path"] = ["$.type"]


def _untyped_issuer_pattern(pd: dict[str, Any]) -> None:
    _field(pd, "$.issuer")["filter"] = {"pattern": "^did:web:register\\.example:iam:"}


def _issuer_allow_list_any_of(pd: dict[str, Any]) -> None:
    _field(pd, "$.issuer")["filter"] = {
        "type": "string",
        "anyOf": [
            {"pattern": "^did:web:register\\.example:iam:"},
            {"pattern": "^did:web:register2\\.example:iam:"},
        ],
    }


S2S.declare(
    id="s2s-pd-type-string-filter-on-array",
    title="PD tests the credential's type array with a string filter, as the reference's policies do",
    step="token request",
    attack="none: the policy's '$.type' field has {type: string, const: NutsOrganizationCredential}, "
    "the form of nuts-node's own policy files",
    act=good_run,
    # nuts-node: matchFilter's []interface{} branch passes the array when one element passes.
    # strict: the value at $.type is an array, which {"type": "string"} does not validate.
    expected={"nuts-node": GRANTED, "strict": NO_MATCH},
    refs=(MATCH_FILTER, INPUT_EVALUATION, "PROTOCOL.md §3.4", "ATTACKS.md 3.8 #62"),
    options={"policy": with_policy(_type_as_the_reference_writes_it)},
)

S2S.declare(
    id="s2s-pd-untyped-issuer-pattern",
    title="PD issuer filter with a pattern but no type",
    step="token request",
    attack='none: the policy\'s issuer filter is {pattern: ^did:web:register…} without "type": "string"',
    act=good_run,
    # nuts-node: a string passes only a filter whose type is "string", so the register's credential
    # is refused and the client answers 412. strict: JSON Schema applies pattern to any string.
    expected={"nuts-node": NO_MATCH, "strict": GRANTED},
    refs=(MATCH_FILTER, INPUT_EVALUATION, "JSON Schema Validation draft-07 §6.3.3", "ATTACKS.md 3.8 #62"),
    options={"policy": with_policy(_untyped_issuer_pattern)},
)


@S2S.case(
    id="s2s-pd-issuer-any-of-ignored",
    title="Self-issued organization credential against an issuer allow-list written with anyOf",
    attack="the GP issues itself a NutsOrganizationCredential naming another hospital; the policy "
    "trusts two registers through an anyOf of issuer patterns",
    # nuts-node: matchFilter ignores anyOf, so {type: string} alone decides: the wallet presents the
    # self-issued credential, the AS's own match agrees, and the token names the hospital the GP chose.
    # strict: anyOf is enforced by the wallet (412) and would be by the verifier.
    expected={"nuts-node": GRANTED, "strict": NO_MATCH},
    refs=(MATCH_FILTER, INPUT_EVALUATION, "PROTOCOL.md §3.11", "ATTACKS.md 3.8 #62"),
    options={"policy": with_policy(_issuer_allow_list_any_of)},
)
def issuer_any_of_ignored(world: S2SWorld) -> Observation:
    """A reference node enforces no keyword outside type/const/enum/pattern."""
    replace_org_credential(world, self_issued(world))
    return good_run(world)


# -- filter selectors as the reference reads them (pex/paessler.py, issue #22) ------------------------
PAESSLER = "PaesslerAG/jsonpath path.go ambiguousPath.evaluate @3484786d6f97 (nuts-node's go.mod)"
CITY_PATH = '$.credentialSubject[?(@.organization.city == "Amsterdam")]'


def _city_by_filter_path(pd: dict[str, Any]) -> None:
    # The author means "an organization in Amsterdam" and writes it as a filter path, no filter.
    pd["input_descriptors"][0]["constraints"]["fields"].append({"path": [CITY_PATH]})


@S2S.case(
    id="s2s-pd-filter-path-without-filter",
    title="PD requires a city through a filter path without a filter; the GP is in Utrecht",
    step="token request",
    attack="none: the policy adds a field whose path is "
    f"{CITY_PATH} and which has no filter, to admit only Amsterdam organizations",
    # nuts-node: the filter visits the subject's member values, none has organization.city, and
    # the path's value is the empty list of matches, which is a value (not nil): matchField
    # accepts any credential for a field without filter, so the Utrecht GP is granted. strict:
    # the policy is refused at load (filter selectors in a PD; nutssim's strict loading).
    expected={
        "nuts-node": GRANTED,
        "strict": Expect(
            "denied",
            "policy_error",
            f"path {CITY_PATH!r}: filter selectors ('[?...]') are not allowed in presentation definitions",
        ),
    },
    refs=(
        PAESSLER,
        "nuts-node vcr/pe/presentation_definition.go matchField @d2ad162",
        "RFC 9535 §2.3.5",
        "PROTOCOL.md §3.4",
        "ATTACKS.md 3.8 #62",
    ),
)
def filter_path_without_filter(world: S2SWorld) -> Observation:
    """A reference node loads the PaesslerAG subset; nutssim's strict loading refuses filter paths."""
    return load_policy(world, with_policy(_city_by_filter_path))
