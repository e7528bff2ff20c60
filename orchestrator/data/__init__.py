"""Requests and calls generated from an app's schemas: what adapters train on and the router fits on."""
