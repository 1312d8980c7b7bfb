"""Wire and data models shared by spec modules and parties."""
