"""govbot's runtime: settings, the aiohttp app, the adapter, the activity handler and the CLI."""
