"""The REST API root (/api/)."""

urlpatterns: list = []
