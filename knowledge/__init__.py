"""Municipality knowledge packs: data, schema, loader, text matching and the answer engine."""
