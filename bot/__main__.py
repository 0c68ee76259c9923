"""`python -m bot <command>`: the command line lives in the composition root (`app.cli`)."""

import sys

from app.cli import main

sys.exit(main())
