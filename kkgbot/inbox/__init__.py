"""Messages meant for a person: a member's excuse, question or reply to a broadcast, passed
on to the KKG's koordinator, and the koordinator's answer back."""
