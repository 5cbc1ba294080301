"""`python -m bridge` is the sam-bridge command line."""
import sys

from ._cli import main

sys.exit(main())
