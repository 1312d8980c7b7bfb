"""The nutssim test suite; mirrors the package layout."""
