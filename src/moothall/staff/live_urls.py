"""(Filled in by the issue-7 work.)"""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
