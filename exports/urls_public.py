from django.urls import path

from exports.views import ExportDownloadView

urlpatterns = [path("exports/<str:token>", ExportDownloadView.as_view(), name="export-download")]
