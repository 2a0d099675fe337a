app_name = "structures_espace"

urlpatterns = []
