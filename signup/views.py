"""Signup forms on the Blueprint surface: /accounts/{accountName}/forms…"""

from drf_spectacular.utils import extend_schema

from api.openapi import request_body, responses
from api.pagination import PAGE_PARAMETERS, page_params
from api.responses import hypermedia, message
from api.validation import validated
from api.views import AccountScopedView
from signup import representations as rep
from signup.selectors import signup_form_get, signup_form_page
from signup.serializers import SignupFormInputSerializer, form_arguments
from signup.services import signup_form_create, signup_form_delete, signup_form_update


def form_input(data) -> dict:
    return form_arguments(validated(SignupFormInputSerializer, data))


class SignupFormCollectionView(AccountScopedView):
    scope = "lists"

    @extend_schema(
        operation_id="signup_forms_list",
        parameters=PAGE_PARAMETERS,
        responses=responses({200: "signup-forms-collection"}, extra_problems=(400,)),
    )
    def get(self, request, account_name):
        params = page_params(request)
        rows, total = signup_form_page(account=self.account, params=params)
        return hypermedia(rep.signup_forms_page(self.account.name, rows, total, params), "signup-forms-collection")

    @extend_schema(
        operation_id="signup_forms_create",
        request=request_body("signup-form-input"),
        responses=responses({201: "message"}, extra_problems=(400, 413, 415)),
    )
    def post(self, request, account_name):
        form = signup_form_create(account=self.account, **form_input(request.data))
        routes = rep.hypermedia_routes(self.account.name)
        return message(
            "Signup form created",
            rep.signup_form_written_links(routes, form),
            status=201,
            headers={"Location": routes.detail(form.pk)},
        )


class SignupFormDetailView(AccountScopedView):
    scope = "lists"

    @extend_schema(
        operation_id="signup_forms_retrieve", responses=responses({200: "signup-form"}, extra_problems=(404,))
    )
    def get(self, request, account_name, form_id):
        form = signup_form_get(account=self.account, form_id=form_id)
        return hypermedia(rep.signup_form_detail(rep.hypermedia_routes(self.account.name), form), "signup-form")

    @extend_schema(
        operation_id="signup_forms_update",
        request=request_body("signup-form-input"),
        responses=responses({200: "message"}, extra_problems=(400, 404, 415)),
    )
    def put(self, request, account_name, form_id):
        form = signup_form_get(account=self.account, form_id=form_id)
        form = signup_form_update(form=form, **form_input(request.data))
        routes = rep.hypermedia_routes(self.account.name)
        return message("Signup form updated", rep.signup_form_written_links(routes, form))

    @extend_schema(operation_id="signup_forms_destroy", responses=responses({200: "message"}, extra_problems=(404,)))
    def delete(self, request, account_name, form_id):
        signup_form_delete(form=signup_form_get(account=self.account, form_id=form_id))
        return message("Signup form deleted", rep.signup_form_deleted_links(rep.hypermedia_routes(self.account.name)))
