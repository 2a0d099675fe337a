app_name = "csv"

urlpatterns = []
