"""Sans-IO parties: each a set of routes whose handlers turn requests into responses."""
