"""Graph store, reasoning and validation."""
