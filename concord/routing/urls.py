from django.urls import include, path

app_name = "routing"
urlpatterns = [
    path("rules/", include("concord.routing.rules_urls")),
    path("queue/", include("concord.routing.queue_urls")),
    path("grid/", include("concord.routing.grid_urls")),
]
