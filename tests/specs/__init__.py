"""Tests of the spec modules, against spec vectors first."""
