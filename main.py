"""gisplanner: `python main.py` opens the app; `python main.py COMMAND --help` for the CLI."""

import sys

from gisplanner.app import main

if __name__ == "__main__":
    sys.exit(main())
