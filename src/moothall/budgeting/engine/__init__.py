"""Participatory budgeting results, without Django: Pabulib files, elections and rules.

Public API::

    from moothall.budgeting.engine import Election, compute, read_pb, parse_pb, write_pb

    pb = read_pb("file.pb")                  # PbFile (raises PabulibError)
    election = Election.from_pb(pb)          # or Election(budget, {id: cost}, ballots, vote_type)
    outcome = compute(election, "equalshares/add1")   # Outcome (raises UnknownRule)
"""

from .election import Election, ElectionError
from .pabulib import PabulibError, PbFile, PbProject, PbVote, parse_pb, read_pb, save_pb, write_pb
from .rules import RULES, Outcome, ProjectExplanation, UnknownRule, compute, mes_winners

__all__ = [
    "RULES",
    "Election",
    "ElectionError",
    "Outcome",
    "PabulibError",
    "PbFile",
    "PbProject",
    "PbVote",
    "ProjectExplanation",
    "UnknownRule",
    "compute",
    "mes_winners",
    "parse_pb",
    "read_pb",
    "save_pb",
    "write_pb",
]
