app_name = "membres"

urlpatterns = []
