"""Account views that adapt allauth's to the desk's HTTP conventions."""

from allauth.account.views import LoginView as AllauthLoginView
from django.forms import Form
from django.http import HttpResponse


class LoginView(AllauthLoginView):
    """allauth's sign-in page, answering a refused sign-in with the matching HTTP status:
    429 when failed attempts are rate-limited, 400 for wrong credentials or a malformed form."""

    def form_invalid(self, form: Form) -> HttpResponse:
        response = super().form_invalid(form)
        codes = {error.code for error in form.non_field_errors().as_data()}
        response.status_code = 429 if "too_many_login_attempts" in codes else 400
        return response
