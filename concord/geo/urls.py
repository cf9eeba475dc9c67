from django.urls import path

from concord.geo import views

app_name = "geo"

urlpatterns = [
    path("county.geojson", views.county_geojson, name="county_geojson"),
    path("villages", views.village_options, name="village_options"),
]
