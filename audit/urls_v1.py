from django.urls import path

from audit import api_v1

urlpatterns = [path("audit", api_v1.V1AuditCollectionView.as_view(), name="v1-audit-collection")]
