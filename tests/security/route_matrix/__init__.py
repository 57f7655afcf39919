"""The route × role permission matrix (tests/security/test_route_matrix.py).

Rows live in the ``*_rows.py`` modules of this package; see ``spec.py`` for their format.
"""
