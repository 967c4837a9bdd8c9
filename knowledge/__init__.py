"""What the assistant knows: the guide as validated data, Finnish-aware search and answer templates."""
