"""The admin area is the consultant's alone."""


def test_a_visitor_is_sent_to_sign_in_and_back(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/sign-in?next=")


def test_a_signed_in_client_is_refused(client_member_client):
    response = client_member_client.get("/admin/")
    assert response.status_code == 403
    assert "This page is not open to you" in response.get_data(as_text=True)


def test_the_consultant_sees_the_dashboard(consultant_client):
    response = consultant_client.get("/admin/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Admin</h1>" in html and "Waiting to be sent" in html


def test_the_dashboard_makes_the_same_number_of_queries_however_many_users(
    app, consultant_client, make_user
):
    from sqlalchemy import event

    def count_queries():
        statements = []
        engine = app.extensions["consult.engine"]
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        consultant_client.get("/admin/")
        event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    before = count_queries()
    for _ in range(5):
        make_user()
    assert count_queries() == before
