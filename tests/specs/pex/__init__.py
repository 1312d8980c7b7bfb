"""Tests of the Presentation Exchange engine: DIF and Nuts reference data first, then our own cases."""
