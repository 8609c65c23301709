"""`python -m pipeline.samples starter|batch ...`."""

from . import main

main()
