"""User cases where one policy and one wallet get a different grant from a reference node and the PE text.

The user flow's PDs (the organization's and the employee's, PROTOCOL.md §2.2 steps 11–18) are
read by node B's wallets and by the hospital's verifier in the profile's reading, as the s2s
ones are (``s2s_cases/semantics.py``; ``parties/wallet.py pex_semantics``): a nuts-node reads
a field's ``filter`` with ``vcr/pe/presentation_definition.go matchFilter`` at d2ad162 (only
``type``/``const``/``enum``/``pattern``, a string passing only a filter typed ``"string"``, an
array passing when one element does, every other keyword ignored); DIF PE v2.0.0 §Input
Evaluation validates the value at ``path`` against the filter as a JSON Schema. Each case runs
the same policy and the same wallets under both and expects what each reading grants.

The employee credential is the session wallet's self-attested ``NutsEmployeeCredential``
(PROTOCOL.md §2.4), so a role or identifier filter is the only thing that stands between an
employee the EHR vouches for and the hospital's data: a filter keyword the reference ignores is
a restriction that does not exist on a real node (ATTACKS.md 3.8 #62). No control applies (the
reading is the profile's), so none of these has a vulnerable variant.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from nutssim.catalogue.base import Expect, Observation
from nutssim.catalogue.user_cases.common import DIRECT_POST, MALLORY, USER, observe_at
from nutssim.scenarios import UserWorld
from nutssim.scenarios.s2s import shipped_policy

STAGE = USER.at(DIRECT_POST)
GRANTED = Expect("granted")
MATCH_FILTER = "nuts-node vcr/pe/presentation_definition.go matchFilter @d2ad162"
INPUT_EVALUATION = "DIF PE v2.0.0 §Input Evaluation (the filter is a JSON Schema for the value at path)"
REFS = (MATCH_FILTER, INPUT_EVALUATION, "PROTOCOL.md §2.2", "PROTOCOL.md §3.4", "ATTACKS.md 3.8 #62")


def _no_match(definition: str) -> Expect:
    """Node B's wallet finds no credential for ``definition`` and posts its error (OpenID4VP §6.4)."""
    return Expect(
        "denied",
        "invalid_request",
        f"wallet could not fulfill requirements (PD ID: {definition}, wallet: ",
        "wallet.fulfil",
    )


ORGANIZATION_UNMATCHED = _no_match("pd_care_organization")
EMPLOYEE_UNMATCHED = _no_match("pd_user_employee")


def _policy(owner: str, change: Callable[[list[dict[str, Any]]], None]) -> dict[str, Any]:
    """The shipped zorgtoepassing policy with ``change`` applied to the fields of ``owner``'s PD."""
    policy = copy.deepcopy(shipped_policy("zorgtoepassing"))
    change(policy["zorgtoepassing"][owner]["input_descriptors"][0]["constraints"]["fields"])
    return policy


def _type_as_the_reference_writes_it(fields: list[dict[str, Any]]) -> None:
    # The reference's own policies test the type array with a string filter at "$.type".
    fields[0]["path"] = ["$.type"]


def _roles_excluded_with_not(fields: list[dict[str, Any]]) -> None:
    fields[3]["filter"] = {"type": "string", "not": {"const": MALLORY["role"]}}


def _untyped_identifier_pattern(fields: list[dict[str, Any]]) -> None:
    fields[1]["filter"] = {"pattern": "@huisarts-west\\.example$"}


def _run(world: UserWorld) -> Observation:
    """The good user flow, observed where the wallets post their answers."""
    return observe_at(world, DIRECT_POST, flow=world.start())


STAGE.declare(
    id="user-pd-org-type-string-filter-on-array",
    title="Organization PD tests the type array with a string filter, as the reference's policies do",
    attack="none: the organization PD's '$.type' field has {type: string, const: "
    "NutsOrganizationCredential}, the form of nuts-node's own policy files",
    act=_run,
    # nuts-node: matchFilter's []interface{} branch passes the array when one element passes.
    # strict: the value at $.type is an array, which {"type": "string"} does not validate.
    expected={"nuts-node": GRANTED, "strict": ORGANIZATION_UNMATCHED},
    refs=REFS,
    options={"policy": _policy("organization", _type_as_the_reference_writes_it)},
)

STAGE.declare(
    id="user-pd-employee-type-string-filter-on-array",
    title="Employee PD tests the type array with a string filter",
    attack="none: the employee PD's '$.type' field has {type: string, const: NutsEmployeeCredential}",
    act=_run,
    # As above, for the session wallet's self-attested NutsEmployeeCredential (steps 16–18).
    expected={"nuts-node": GRANTED, "strict": EMPLOYEE_UNMATCHED},
    refs=REFS,
    options={"policy": _policy("user", _type_as_the_reference_writes_it)},
)

STAGE.declare(
    id="user-pd-employee-role-not-ignored",
    title="Employee PD excludes a role with 'not'; an assistant asks",
    attack="the EHR vouches for Mallory (role Assistent); the hospital's employee PD refuses that "
    "role with {type: string, not: {const: Assistent}}",
    act=_run,
    # nuts-node: matchFilter ignores `not`, so {type: string} alone decides and Mallory's
    # self-attested credential is presented and accepted: the token is issued. strict: JSON Schema
    # `not` (draft-07 §6.7.4) refuses the role at the wallet, and would at the verifier.
    expected={"nuts-node": GRANTED, "strict": EMPLOYEE_UNMATCHED},
    refs=(*REFS, "JSON Schema Validation draft-07 §6.7.4"),
    options={"policy": _policy("user", _roles_excluded_with_not), "user": dict(MALLORY)},
)

STAGE.declare(
    id="user-pd-employee-untyped-identifier-pattern",
    title="Employee PD identifier filter with a pattern but no type",
    attack="none: the employee PD's identifier filter is {pattern: @huisarts-west\\.example$} "
    'without "type"',
    act=_run,
    # nuts-node: a string passes only a filter whose type is "string", so the session wallet finds
    # no credential and posts its error. strict: JSON Schema applies pattern to any string.
    expected={"nuts-node": EMPLOYEE_UNMATCHED, "strict": GRANTED},
    refs=(*REFS, "JSON Schema Validation draft-07 §6.3.3"),
    options={"policy": _policy("user", _untyped_identifier_pattern)},
)
