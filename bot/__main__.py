"""`python -m bot` is `excerpt-bot`."""

import sys

from bot.cli import main

sys.exit(main())
