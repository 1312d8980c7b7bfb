"""The commented example sweep spec that ``nutssim sweep --example`` prints (also ``examples/``)."""

#: Byte for byte the file ``examples/sweep-issuer-trust.yaml`` (a test keeps the two equal).
EXAMPLE_SPEC = r"""# A sweep spec: every combination of the values below is one variant (one run).
# Run it:   nutssim sweep sweep-issuer-trust.yaml --workers 2 --out results.csv
# Big ones: nutssim sweep SPEC --format dataset --out results/ --partition-by profile --resume
# Print it: nutssim sweep --example > sweep-issuer-trust.yaml
# Each key is a dimension; its value is one level or a list of levels. Leave a key out to keep
# the scenario's own setting. Grid order is the order below (the last key varies fastest).

name: issuer-trust            # names the results file when --out is not given

# Scenario names (`nutssim scenarios`), or case:<id> for a failure-catalogue case.
flow: [s2s-bearer]

# nuts-node (the reference, gaps included) or strict (the specifications to the letter).
profile: [nuts-node, strict]

# How wallets and verifiers read a presentation definition, whatever the profile: null (each
# profile's own), nuts-node (the reference's vcr/pe) or strict (the DIF PE v2.0.0 text).
# [null, strict] under profile nuts-node shows which grants owe to the reading alone.
pex_semantics: [null]

# Controls switched off: a list of names is one level, a list of lists several.
# [] (or "none") switches nothing off. The names: `nutssim scenarios s2s`.
controls_off:
  - []
  - [revocation_check]

# Policy levels: base (the flow's own policy), a policy file path, a shipped policy name,
# or {name, file | policy, mutate: [...], scope}. `mutate` is a list of {op: ..., args};
# ops: drop_field, add_field, add_issuer_pattern, set_format, set_scope_policy, chain.
policy:
  - base
  - name: any-issuer
    mutate:
      - {op: drop_field, path: $.issuer}
  - name: register-only
    mutate:
      - {op: add_issuer_pattern, pattern: '^did:web:register\.example'}

# Wallet compositions of the requester: ok, missing, expired, revoked, self_issued,
# untrusted_issuer, other_subject.
wallet: [ok, untrusted_issuer, self_issued, revoked]

# Seconds added to the authorization server node's clock. An integer dimension takes a range
# too, {from, to, step} with `to` included: {from: -600, to: 600, step: 60} is 21 levels.
clock_skew: [0]

# Base seeds; every variant derives its own seed from its coordinates (same spec, same runs).
# A range works here as well: {from: 0, to: 99} is 100 seeds.
seed: [0]

# Which variants run (docs/SWEEPS.md): the whole grid, or a sample of it.
#   {kind: random, samples: 200, seed: 1}  200 points drawn at random
#   {kind: lhs, samples: 200, seed: 1}     a Latin hypercube: clock_skew and seed stratified
#   {kind: oat}                            the first level of each key, then one key at a time
design: {kind: grid}
"""
