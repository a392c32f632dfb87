"""The school calendar: which days are holidays or breaks for a KKG or a district."""
