"""KKG Bot: the coordination desk of a teacher working group, inside the chat apps teachers use."""
