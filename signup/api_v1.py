"""Signup forms on the core REST surface: /api/v1/forms… The same services as the Blueprint surface."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.openapi import request_body, responses
from api.responses import hypermedia
from api.v1 import V1View, parse_query
from signup import representations as rep
from signup.selectors import FORMS, signup_form_get, signup_form_v1_page
from signup.services import signup_form_create, signup_form_delete, signup_form_update
from signup.views import form_input

ROUTES = rep.V1_ROUTES


class V1SignupFormCollectionView(V1View):
    scope = "lists"

    @extend_schema(
        operation_id="v1_signup_forms_list",
        parameters=FORMS.parameters(),
        responses=responses({200: "signup-forms-page"}, extra_problems=(400,)),
    )
    def get(self, request):
        query = parse_query(request, FORMS)
        page = signup_form_v1_page(account=self.account, query=query)
        return hypermedia(rep.signup_forms_v1_page(page, FORMS, query), "signup-forms-page")

    @extend_schema(
        operation_id="v1_signup_forms_create",
        request=request_body("signup-form-input"),
        responses=responses({201: "signup-form"}, extra_problems=(400, 413, 415)),
    )
    def post(self, request):
        form = signup_form_create(account=self.account, **form_input(request.data))
        return hypermedia(
            rep.signup_form_detail(ROUTES, form),
            "signup-form",
            status=201,
            headers={"Location": ROUTES.detail(form.pk)},
        )


class V1SignupFormDetailView(V1View):
    scope = "lists"

    @extend_schema(
        operation_id="v1_signup_forms_retrieve", responses=responses({200: "signup-form"}, extra_problems=(404,))
    )
    def get(self, request, form_id):
        return hypermedia(
            rep.signup_form_detail(ROUTES, signup_form_get(account=self.account, form_id=form_id)), "signup-form"
        )

    @extend_schema(
        operation_id="v1_signup_forms_update",
        request=request_body("signup-form-input"),
        responses=responses({200: "signup-form"}, extra_problems=(400, 404, 415)),
    )
    def put(self, request, form_id):
        form = signup_form_get(account=self.account, form_id=form_id)
        form = signup_form_update(form=form, **form_input(request.data))
        return hypermedia(rep.signup_form_detail(ROUTES, form), "signup-form")

    @extend_schema(operation_id="v1_signup_forms_destroy", responses=responses({204: None}, extra_problems=(404,)))
    def delete(self, request, form_id):
        signup_form_delete(form=signup_form_get(account=self.account, form_id=form_id))
        return Response(status=204)
