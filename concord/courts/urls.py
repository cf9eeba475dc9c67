from django.urls import path

from . import views

app_name = "courts"
urlpatterns = [
    path("", views.referrals, name="referrals"),
    path("new/", views.new, name="new"),
    path("import/", views.upload, name="upload"),
    path("import/<int:batch_id>/", views.batch, name="batch"),
    path("import/<int:batch_id>/confirm", views.confirm, name="confirm"),
    path("import/template.<str:kind>", views.template, name="template"),
    path("<int:referral_id>/record.pdf", views.record_pdf, name="record"),
    path("<int:referral_id>/extend", views.extend_period, name="extend"),
    path("<int:referral_id>/result", views.result, name="result"),
]
