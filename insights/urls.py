from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("search/seen/", views.search_seen, name="search_seen"),
    path("search/opened/", views.result_opened, name="result_opened"),
]
