"""govbot's relational store: models, migrations, sessions and the record services."""
