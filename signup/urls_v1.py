from django.urls import path

from signup import api_v1

urlpatterns = [
    path("forms", api_v1.V1SignupFormCollectionView.as_view(), name="v1-signup-form-collection"),
    path("forms/<id:form_id>", api_v1.V1SignupFormDetailView.as_view(), name="v1-signup-form-detail"),
]
