"""Channel adapters: they translate between a chat app and Inbound/Outgoing, nothing more."""
