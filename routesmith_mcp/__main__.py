import sys

from routesmith_mcp.cli import main

sys.exit(main())
