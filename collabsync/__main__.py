"""`python -m collabsync` runs the CLI."""

from collabsync.cli import main

if __name__ == "__main__":
    main(prog_name="collabsync")
