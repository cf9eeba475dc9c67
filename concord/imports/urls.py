from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.jobs, name="jobs"),
    path("<int:job_id>/", views.job, name="job"),
    path("<int:job_id>/start", views.start_job, name="start"),
    path("<int:job_id>/retry", views.retry_job, name="retry"),
    path("<int:job_id>/errors.<str:kind>", views.error_report, name="report"),
    path("template.<str:kind>", views.template, name="template"),
]
