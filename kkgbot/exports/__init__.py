"""Exports across features: the recap workbook of a KKG or a scope."""
