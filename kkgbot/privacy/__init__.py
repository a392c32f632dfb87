"""A person's rights under UU 27/2022, and privacy housekeeping."""
