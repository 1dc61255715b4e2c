from django.test import Client


def test_openapi_schema_documents_operations_and_problems(db):
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    paths = schema["paths"]
    assert "/" in paths and "/accounts/{account_name}" in paths
    index = paths["/accounts/{account_name}"]["get"]["responses"]
    assert index["200"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Message"
    assert index["401"]["content"]["application/problem+json"]["schema"]["$ref"] == "#/components/schemas/Problem"
    assert "403" in index
    components = schema["components"]["schemas"]
    assert "Problem" in components and "Message" in components and "Link" in components
    assert components["Message"]["properties"]["_links"]["items"]["$ref"] == "#/components/schemas/Link"
    assert set(schema["components"]["securitySchemes"]) >= {"bearerAuth", "basicAuth", "accessToken"}


def test_swagger_ui_is_served(db):
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_every_operation_with_a_body_documents_the_body_problems(db):
    paths = Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    with_body = [
        (path, method, operation)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]
    assert len(with_body) >= 15
    for path, method, operation in with_body:
        for status in ("400", "413", "415"):
            content = operation["responses"][status]["content"]
            assert "application/problem+json" in content, (method, path, status)
