"""Monitoring: the post-meeting reflection, the monthly pulse, the seven standards."""
