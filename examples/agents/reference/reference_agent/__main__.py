"""Entrypoint: ``python -m reference_agent`` (the image's ENTRYPOINT)."""
from reference_agent.app import main

raise SystemExit(main())
