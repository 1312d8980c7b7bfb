"""Catalogue cases of the service-to-service flow (PROTOCOL.md §4.2 items 1–33, and beyond).

Every case is a mutation of a good ``s2s`` run, declared once on the ``S2S`` family
(``common``): a declaration (id, title, attack, expectations per profile, refs) plus, where
an expression will not do, one small act. Most hit the token request; one module per part
of it the check looks at: ``form`` (parameters, scope, client_id), ``presentation`` (the
VP's times, replay values, signature, key), ``holder`` (signer is subject), ``credentials``
(expired, revoked, forged), ``definition`` (PD fulfilment, issuer constraints, hostile
policies), ``replay`` (replayed, forwarded, audience, metadata) and ``dpop`` (the token
endpoint's DPoP proof, clock skew between the nodes).

Beyond §4.2: ATTACKS.md 3.1 #2/#5/#6/#7 (VP claims), 3.2 #15/#18/#19 (audience injection
through a malicious AS's metadata, unsigned VPs, a metadata issuer mismatch), 3.6 #48/#50
(DPoP header count and shape at the token endpoint), 3.8 #61 (hostile PDs refused at policy
load), clock skew between nodes, another subject's credential, and ``cache`` (the client's token
cache keyed per subject). ``pdp``: the scope policies and their AuthZEN PDP (issue #20: the
answer tampered or replayed, the PDP down under each policy, slow, short, an over-broad Rego
rule, and nuts-node issue #4202 in the user flow).
"""

from nutssim.catalogue.s2s_cases import (  # noqa: F401  (registers on import)
    cache,
    credentials,
    crit,
    definition,
    dpop,
    encoding,
    form,
    holder,
    jwt_bearer,
    pdp,
    pilot,
    presentation,
    replay,
    semantics,
    x509,
)
