"""Tests of the JOSE layer: keys, thumbprints, compact JWS/JWT and time checks."""
