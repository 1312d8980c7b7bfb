# Scope decisions for the reference's dynamic scope policy (nuts-node policy/scope_granter.go).
#
# input is one AuthZEN evaluation as the node sends it:
#   subject:  {"type": "organization", "id": <VP signer DID>, "properties": {"organization": <PD field values>}}
#   action:   {"name": "request_scope"}
#   resource: {"type": "scope", "id": <one requested scope>}
#   context:  {"policy": <the credential profile scope>}
# Edit the table below, or the rules, and re-run: the PDP reads this file when it is built.
package nuts.authzen

import rego.v1

# Per credential profile: the scopes a requester may get besides the profile scope itself.
extra_scopes := {
	"eoverdracht": {"patient/Observation.read", "patient/Condition.read"},
	"urn:nuts:medication-overview": {"patient/MedicationStatement.read"},
}

default allow := false

# The profile scope itself: granted to any organization whose credentials the AS verified.
allow if {
	input.action.name == "request_scope"
	input.resource.type == "scope"
	input.resource.id == input.context.policy
}

# An extra scope: listed for this profile, and the organization's name was disclosed.
allow if {
	input.action.name == "request_scope"
	input.resource.type == "scope"
	input.resource.id in extra_scopes[input.context.policy]
	input.subject.properties.organization.organization_name != ""
}

reason := "scope not allowed for this credential profile" if not allow
