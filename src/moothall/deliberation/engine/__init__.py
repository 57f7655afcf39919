"""The deliberation analysis engine, without Django: vote tables, opinion maps, routing and
the Polis open-data format. Importable and testable on its own (it never imports Django).

Public API::

    from moothall.deliberation.engine import (
        analyse, Analysis, VoteTable, choose_next,
        read_polis_folder, write_polis_folder, PolisExport, PolisDataError,
    )

    export = read_polis_folder("conversation/")      # PolisExport (raises PolisDataError)
    table = export.vote_table()                      # or VoteTable.from_arrays(pids, tids, votes)
    result = analyse(table, "improved", excluded_statements=export.moderated_out())
    data = result.to_json()                          # stored as deliberation Analysis.data
    choose_next(data["priority"], candidates=[3, 7, 9])
"""

from .analysis import MODES, Analysis, analyse, group_informed_consensus
from .clustering import adjusted_rand_index
from .polisdata import (
    PolisDataError,
    PolisExport,
    participants_rows,
    polis_datetime,
    read_polis_folder,
    write_polis_folder,
)
from .routing import choose_next
from .table import VoteTable

__all__ = [
    "MODES",
    "Analysis",
    "PolisDataError",
    "PolisExport",
    "VoteTable",
    "adjusted_rand_index",
    "analyse",
    "choose_next",
    "group_informed_consensus",
    "participants_rows",
    "polis_datetime",
    "read_polis_folder",
    "write_polis_folder",
]
