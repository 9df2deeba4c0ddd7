"""``python -m tinygrad_edu``: the ``tinygrad-edu`` command (see ``cli.py``)."""

import sys

from .cli import main

sys.exit(main())
