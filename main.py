"""gisplanner: `python main.py` opens the app; `python main.py COMMAND --help` for the CLI."""

import multiprocessing
import sys

if __name__ == "__main__":
    # the planner's worker processes re-run this file: in the PyInstaller bundle they must be
    # told apart from a user's command line before anything parses the arguments
    multiprocessing.freeze_support()
    from gisplanner.app import main

    sys.exit(main())
