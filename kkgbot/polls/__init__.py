"""Topic-needs polls, the topic catalogue and the KKG work plan they feed."""
