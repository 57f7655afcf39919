"""Real councils beside the fictional area, from copies of published data (see data/README.md)."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from moothall.councils.importers.moderngov import import_councillors
from moothall.councils.importers.register import import_register_file
from moothall.councils.models import Council
from moothall.demo.registry import DemoContext, demo_step

DATA = Path(__file__).resolve().parent / "data"


@demo_step(order=20)
@transaction.atomic
def real_councils(context: DemoContext) -> str:
    """Six councils from the UK register, and Lambeth's councillors as ModernGov publishes them."""
    councils = import_register_file(DATA / "uk_local_authorities_sample.csv")
    lambeth = Council.objects.get(register_code="LBH")
    summary = import_councillors(
        lambeth,
        (DATA / "lambeth_CouncillorsByWard.xml").read_bytes(),
        source="demo/data/lambeth_CouncillorsByWard.xml",
    )
    return (
        f"register: {councils.created} created, {councils.updated} updated, "
        f"{councils.unchanged} unchanged; Lambeth: {summary.wards} wards, "
        f"{summary.created + summary.updated + summary.unchanged} councillors"
    )
