"""Moothall: open council business and resident participation, run by the council itself."""
