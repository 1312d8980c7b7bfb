"""Catalogue cases of the user flow (PROTOCOL.md §2.2, §4.2 items 34–63).

Every case is a mutation of a good user-flow run (``scenario="user"``): the GP's EHR asks
node B for a user access token, the browser carries a signed request object (JAR_1) to
the hospital's authorization endpoint, the hospital asks B's organization and session
wallets for presentations (OpenID4VP ``direct_post``) and B redeems the code with PKCE
and DPoP. Most errors of this flow never reach the EHR as such: they are *rendered* to
the browser by the node that found them, *redirected* (302) to the client's
redirect_uri, *POSTed* by the wallet to the verifier's response_uri, or answered as JSON
to the calling node. A case therefore observes the exchange whose answer carries the
error (``observe_at``) and says in ``Observation.detail`` how it was delivered.

Beyond §4.2: ATTACKS.md 3.3 #28 / 3.9 #63 (mix-up: a client sent to another AS's
authorization endpoint by that AS's metadata), 3.9 #65–66 (the attacker's code injected
into the victim's callback), 3.5 #46 (a VP of a finished session injected into another
session), 3.4 #30 (a request object with ``alg: none``), 3.4 #33 (request_uri replayed or
expired) and 3.5 #41 (a VP whose nonce is not the request's). Where a request object is
forged, the attacker diverts the code to its own page and redeems it with a PKCE pair of
its own, so a vulnerable run shows the attacker holding a token.

One module per stage of the flow, in flow order: ``authorize`` (steps 7–8),
``request_object`` (8–9), ``code_request`` (7 continued), ``wallet`` (11–15), ``response``
(15), ``token`` (22) and ``callback`` (4, 21, 26); ``common`` holds the observing helpers.
``semantics`` holds the policies a nuts-node and the PE text read differently (issue #22).
"""

from nutssim.catalogue.user_cases import (  # noqa: F401  (registers on import)
    authorize,
    callback,
    code_request,
    crit,
    request_object,
    response,
    semantics,
    token,
    wallet,
)
