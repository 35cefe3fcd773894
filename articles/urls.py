from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("categories/<slug:slug>/", views.category_detail, name="category"),
    path("articles/<int:number>/", views.article_detail, name="detail_short"),
    path("articles/<int:number>/feedback/", views.article_feedback, name="feedback"),
    path("articles/<int:number>/<str:slug>/", views.article_detail, name="detail"),
]
