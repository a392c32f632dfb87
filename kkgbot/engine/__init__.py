"""The conversation engine: one conversation logic for every channel."""
