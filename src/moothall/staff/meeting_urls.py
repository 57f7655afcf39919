"""The clerk's back-office for meetings."""

urlpatterns: list = []
