"""The CLI's command groups: each parses options, calls the library and prints; cli.py registers them."""
