"""Protocol rules, one module per specification: pure functions that know nothing of parties."""
