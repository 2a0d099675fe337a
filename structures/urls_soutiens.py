app_name = "soutiens"

urlpatterns = []
