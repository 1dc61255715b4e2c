from django.urls import path

from tasks import views

urlpatterns = [
    path("tasks", views.TaskCollectionView.as_view(), name="task-collection"),
    path("tasks/<id:task_id>", views.TaskDetailView.as_view(), name="task-detail"),
    path("tasks/<id:task_id>/errors", views.TaskErrorsView.as_view(), name="task-errors"),
    *[
        path(f"tasks/<id:task_id>/{name}", views.task_action_view(name).as_view(), name=f"task-{name}")
        for name in ("pause", "start", "stop", "cancel")
    ],
]
