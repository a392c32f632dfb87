"""Certificates of JP (issue 18): a KKG's certificate of attendance, and its verification."""
