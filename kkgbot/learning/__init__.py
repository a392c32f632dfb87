"""Micro-learning: content packs, each KKG's lesson times, learners' progress."""
