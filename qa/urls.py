from django.urls import path

from . import views

app_name = "qa"

# django-markdownx's own views are deliberately not included: its preview does not
# sanitize and its upload view accepts HTML and scripted SVG.
urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/", views.round_list, name="round-list"),
    path("rounds/<int:number>/", views.round_detail, name="round-detail"),
    path("questions/<int:pk>/", views.question_detail, name="question-detail"),
    path("healthz", views.healthz, name="healthz"),
]
