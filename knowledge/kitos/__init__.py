"""Data files for the KITOS sync (the role mapping)."""
