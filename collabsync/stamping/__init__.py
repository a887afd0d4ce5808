"""Writing into the tools: plans, preflight, exactly-once stamping and a project's later writes."""
