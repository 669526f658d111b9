"""``python -m declog``."""

import sys

from declog.cli import main

if __name__ == "__main__":
    sys.exit(main())
