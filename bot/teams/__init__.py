"""Microsoft Teams through the Microsoft 365 Agents SDK (the extra [teams]), the only package importing it."""
