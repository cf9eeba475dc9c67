app_name = "summons"
urlpatterns: list = []
