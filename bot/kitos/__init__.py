"""The KITOS API v2 sync: the HTTP client, the sync run, its schedule inside `govbot serve`."""
