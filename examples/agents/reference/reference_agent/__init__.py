"""Reference agent: keeps the agentfleet runtime contract (see ../README.md).

Run with ``python -m reference_agent``; settings come from the environment and an
optional JSON file only (``reference_agent.config``).
"""
__version__ = "1.0.0"
