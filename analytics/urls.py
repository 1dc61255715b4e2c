from django.urls import path

from analytics import views

urlpatterns = [
    path("emails", views.EmailAnalyticsView.as_view(), name="v1-analytics-emails"),
    path("campaigns/<id:campaign_id>", views.CampaignAnalyticsView.as_view(), name="v1-analytics-campaign"),
    path("contacts/<md5:email_md5>", views.ContactAnalyticsView.as_view(), name="v1-analytics-contact"),
]
