from django.urls import path

from signup import public_views

urlpatterns = [path("f/<str:form_key>", public_views.SignupPostView.as_view(), name="signup-form-post")]
