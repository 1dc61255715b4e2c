from django.urls import path

from signup import views

urlpatterns = [
    path("forms", views.SignupFormCollectionView.as_view(), name="signup-form-collection"),
    path("forms/<id:form_id>", views.SignupFormDetailView.as_view(), name="signup-form-detail"),
]
