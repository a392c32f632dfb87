"""Pendampingan: classroom visits and coaching sessions (/kunjungan)."""
