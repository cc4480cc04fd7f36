"""Entry point of the bundled app: the same main() the installed commands run."""

import sys

from journal.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
