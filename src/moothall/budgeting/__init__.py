"""Participatory budgeting: residents propose projects, officers cost them, residents vote,
the rule the council chose picks the winners, and delivery is reported back.

The result rules live in :mod:`moothall.budgeting.engine`, which imports nothing from Django.
"""
