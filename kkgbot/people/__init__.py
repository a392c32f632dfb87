"""People, the KKGs and districts they belong to, their roles, and reaching them."""
