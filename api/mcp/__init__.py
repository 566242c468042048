"""The MCP server at ``/mcp``: the Dessert operations as tools for agents (docs/mcp.md)."""
