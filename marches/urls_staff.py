app_name = "marches_staff"

urlpatterns = []
