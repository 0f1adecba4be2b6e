"""routesmith-mcp: split a mixed coding prompt into typed steps and route each to a model the host can use."""

__version__ = "0.1.0"
