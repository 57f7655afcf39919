"""Public pages of open council business (filled in by the meetings public work)."""

urlpatterns: list = []
