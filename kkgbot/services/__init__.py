"""Domain rules: take a session and plain values, return plain data. No chat code here."""
