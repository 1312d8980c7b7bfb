# An over-broad variant of scopes.rego, for lessons and sweeps: it grants every scope that
# merely *starts* with "patient/", whatever the profile, so a requester asking for
# "patient/Everything.write" gets it. Compare with scopes.rego, which lists the scopes.
package nuts.authzen

import rego.v1

default allow := false

allow if {
	input.resource.type == "scope"
	input.resource.id == input.context.policy
}

allow if {
	input.resource.type == "scope"
	startswith(input.resource.id, "patient/")
}
