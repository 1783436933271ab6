"""``python -m dmaf_analysis.cli``: the same as the ``dmaf`` command."""
import sys

from ._main import main

sys.exit(main())
