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

# The resource server as PEP (nuts-knooppunt's pattern): input is nutssim's AuthZEN form of the
# introspection (nutssim/specs/pep.py authzen_request): subject {type: "client", id, properties:
# the token's claims}, action {name: <HTTP method>}, resource {type: "http", id: <path>},
# context {scope: [<the token's scopes>]}. A request is allowed when the token names a profile
# scope and carries no scope this policy would not grant for that profile.
allow if {
	input.resource.type == "http"
	input.action.name == "GET"
	some profile in input.context.scope
	extra_scopes[profile]
	every scope in input.context.scope {
		granted_for(profile, scope)
	}
}

granted_for(profile, scope) if scope == profile

granted_for(profile, scope) if scope in extra_scopes[profile]

reason := "scope not allowed for this credential profile" if not allow
