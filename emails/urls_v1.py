from django.urls import path

from emails import views

urlpatterns = [
    path("emails", views.V1EmailCollectionView.as_view(), name="v1-email-collection"),
    path("emails/send", views.V1EmailSendView.as_view(), name="v1-email-send"),
    path("emails/<id:email_id>", views.V1EmailDetailView.as_view(), name="v1-email-detail"),
]
