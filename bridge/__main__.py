"""`python -m bridge` is the sam-bridge command line."""
import sys

from ._entry import main

sys.exit(main())
