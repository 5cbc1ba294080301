"""The browser-facing flows: /authorize (sign-in, second factor, consent) and /devicelogin.

Each sign-in is a server-side transaction whose id travels in a hidden form field; the pages post
back to `/{tenant}/login` (authorize) or `/devicelogin` (device code). Sign-in checks are the same
ones the control API's device-code approval runs (EmulatorState.check_*).
"""
from __future__ import annotations

import uuid
from typing import Any, Mapping
from urllib.parse import urlencode, urlsplit, urlunsplit

from . import _errors
from . import _pages
from ._directory import ALIASES, App, Directory, Tenant
from ._errors import AadError
from ._oauth import RequestInfo
from ._resources import DEFAULT, OIDC_SCOPES, split_scopes
from ._state import AuthCode, EmulatorState, SignInError, Transaction
from ._tokens import client_info

SESSION_COOKIE = "ESTSAUTH"  # the name Entra gives its session cookie
_OIDC_TEXT = {
    "openid": "Sign you in",
    "profile": "View your basic profile",
    "email": "View your email address",
    "offline_access": "Maintain access to data you have given it access to",
}


class Page:
    """An HTML or redirect answer, independent of the web framework."""

    def __init__(
        self,
        *,
        html: str | None = None,
        location: str | None = None,
        status: int = 200,
        cookies: Mapping[str, str | None] | None = None,
        error: AadError | None = None,
    ) -> None:
        self.html = html
        self.location = location
        self.status = 302 if location else status
        self.cookies = dict(cookies or {})
        self.error = error  # for the request log


def redirect_with(uri: str, params: Mapping[str, str | None]) -> str:
    """The redirect URI plus query parameters; a URI without a path gets a trailing '/' (as Entra)."""
    parts = urlsplit(uri)
    query = urlencode({k: v for k, v in params.items() if v is not None})
    combined = f"{parts.query}&{query}" if parts.query else query
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", combined, parts.fragment))


def reply(uri: str, params: Mapping[str, str | None], response_mode: str, **page: Any) -> Page:
    """The authorize answer: a redirect with a query, or for response_mode=form_post a page whose form
    posts the parameters to the redirect URI (msal-node 7's loopback listener accepts nothing else)."""
    if response_mode == "form_post":
        fields = {k: v for k, v in params.items() if v is not None}
        return Page(html=_pages.form_post_page(uri, fields), **page)
    return Page(location=redirect_with(uri, params), **page)


def response_mode_of(args: Mapping[str, str]) -> str:
    """form_post when asked for; otherwise query (the code flow's default)."""
    return "form_post" if args.get("response_mode") == "form_post" else "query"


def _error_redirect(uri: str, error: AadError, state: str | None, response_mode: str = "query") -> Page:
    params = {"error": error.error, "error_description": error.description, "state": state}
    return reply(uri, params, response_mode, error=error)


class Interactive:
    """Authorize, sign-in steps, device login and logout."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def _error_page(self, error: AadError, correlation_id: str | None = None, status: int = 400) -> Page:
        html = _pages.error_page(
            description=error.description,
            correlation_id=correlation_id or str(uuid.uuid4()),
            timestamp=_errors.format_timestamp(self.state.now()),
        )
        return Page(html=html, status=status, error=error)

    # -- /authorize ---------------------------------------------------------------------------------

    def authorize(self, info: RequestInfo, segment: str, args: Mapping[str, str], cookies: Mapping[str, str]) -> Page:
        state = self.state
        directory = state.directory
        tenant: Tenant | None = None
        if segment.lower() not in ALIASES:
            tenant = directory.tenant(segment)
            if tenant is None:
                return self._error_page(_errors.tenant_not_found(segment))
        info.tenant = tenant.id if tenant else segment.lower()
        client_id = args.get("client_id", "")
        info.client_id, info.scope = client_id or None, args.get("scope")
        app = directory.app(client_id) if client_id else None
        if app is None or not directory.app_visible_in(app, tenant):
            return self._error_page(_errors.app_not_found(client_id, tenant.name if tenant else segment))
        redirect_uri = args.get("redirect_uri", "")
        if not redirect_uri:
            return self._error_page(_errors.missing_parameter("redirect_uri"))
        if not app.redirect_uri_allowed(redirect_uri):
            return self._error_page(_errors.reply_url_not_registered(redirect_uri, app.app_id))
        # From here on errors go back to the client's redirect URI, as Entra sends them.
        client_state, mode = args.get("state"), response_mode_of(args)
        response_type = args.get("response_type", "")
        if response_type != "code":
            return _error_redirect(redirect_uri, _errors.unsupported_response_type(response_type), client_state, mode)
        challenge = args.get("code_challenge") or None
        if challenge:
            method = args.get("code_challenge_method", "plain")
            if method != "S256":
                return _error_redirect(redirect_uri, _errors.unsupported_code_challenge_method(method), client_state, mode)
        elif app.public_client:
            return _error_redirect(redirect_uri, _errors.pkce_required(), client_state, mode)
        scope = args.get("scope", "")
        if not scope.split():
            return _error_redirect(redirect_uri, _errors.missing_parameter("scope"), client_state, mode)
        try:
            for item in split_scopes(scope)[0]:
                directory.resources.resolve(item, tenant.name if tenant else segment)
        except AadError as exc:
            return _error_redirect(redirect_uri, exc, client_state, mode)
        transaction = state.new_transaction(
            kind="authorize",
            client_id=app.app_id,
            tenant_id=tenant.id if tenant else None,
            tenant_segment=segment,
            redirect_uri=redirect_uri,
            scope=scope,
            state=client_state,
            nonce=args.get("nonce") or None,
            code_challenge=challenge,
            response_mode=mode,
        )
        if args.get("prompt") == "none":
            return self._silent(transaction, app, directory, cookies)
        return Page(
            html=_pages.signin_page(
                action=self._action(transaction),
                tx_id=transaction.id,
                app_name=app.name,
                tenant_name=tenant.name if tenant else None,
                username=args.get("login_hint", ""),
            )
        )

    def _silent(self, transaction: Transaction, app: App, directory: Directory, cookies: Mapping[str, str]) -> Page:
        """prompt=none: only an existing browser session can answer."""
        state = self.state
        signin = state.session(cookies.get(SESSION_COOKIE))
        user = directory.user(signin.upn) if signin else None
        if signin is None or user is None:
            state.end_transaction(transaction.id)
            return _error_redirect(transaction.redirect_uri, _errors.login_required(), transaction.state, transaction.response_mode)
        tenant = directory.tenant(transaction.tenant_id or user.tenant)
        if tenant is None or not directory.user_can_access(user, tenant, self.state.now()):
            state.end_transaction(transaction.id)
            app_error = _errors.user_not_in_tenant(
                user.upn, user.tenant, tenant.name if tenant else transaction.tenant_segment, app.app_id, app.name
            )
            error = AadError("interaction_required", app_error.code, app_error.text)
            return _error_redirect(transaction.redirect_uri, error, transaction.state, transaction.response_mode)
        transaction.tenant_id = tenant.id
        transaction.signin = signin
        return self._complete_authorize(transaction, set_session=False)

    # -- sign-in steps (both flows) -----------------------------------------------------------------------

    def login_step(self, info: RequestInfo, form: Mapping[str, str]) -> Page:
        state = self.state
        directory = state.directory
        transaction = state.transaction(form.get("tx"))
        if transaction is None:
            return self._error_page(_errors.sign_in_expired())
        info.endpoint = "authorize" if transaction.kind == "authorize" else "devicelogin"
        info.client_id, info.tenant = transaction.client_id, transaction.tenant_id or transaction.tenant_segment
        app = directory.app(transaction.client_id)
        if app is None:
            return self._error_page(_errors.app_not_found(transaction.client_id, transaction.tenant_segment))
        step = form.get("step", "")
        if step == "signin":
            return self._password_step(transaction, app, directory, form)
        if step == "otp":
            return self._otp_step(transaction, directory, form)
        if transaction.signin is None:
            return self._error_page(_errors.sign_in_expired())
        if step == "consent" and transaction.kind == "authorize":
            if form.get("action") == "accept":
                self._record_user_consent(transaction, app, directory)
                return self._complete_authorize(transaction, set_session=True)
            state.end_transaction(transaction.id)
            return _error_redirect(transaction.redirect_uri, _errors.user_declined_consent(), transaction.state, transaction.response_mode)
        if step == "confirm" and transaction.kind == "device":
            return self._device_confirm(transaction, app, form.get("action") == "accept")
        return self._error_page(AadError("invalid_request", None, f"Unexpected sign-in step {step!r}."))

    def _password_step(self, transaction: Transaction, app: App, directory: Directory, form: Mapping[str, str]) -> Page:
        state = self.state
        username = form.get("username", "")
        tenant = directory.tenant(transaction.tenant_id) if transaction.tenant_id else None
        try:
            user = state.check_password(username, form.get("password", ""), tenant)
            target = tenant or directory.tenant(user.tenant)
            assert target is not None
            if not directory.app_visible_in(app, target):
                raise SignInError("app_not_found", _errors.app_not_found(app.app_id, target.name))
            state.check_tenant_access(user, target, app)
        except SignInError as exc:
            html = _pages.signin_page(
                action=self._action(transaction),
                tx_id=transaction.id,
                app_name=app.name,
                tenant_name=tenant.name if tenant else None,
                username=username,
                error=exc.error.description,
            )
            return Page(html=html)
        transaction.tenant_id = target.id
        if user.mfa:
            transaction.pending_upn = user.upn
            return Page(html=_pages.otp_page(action=self._action(transaction), tx_id=transaction.id, upn=user.upn))
        transaction.signin = state.make_signin(user, mfa=False)
        return self._after_signin(transaction, app)

    def _otp_step(self, transaction: Transaction, directory: Directory, form: Mapping[str, str]) -> Page:
        state = self.state
        user = directory.user(transaction.pending_upn or "")
        if user is None:
            return self._error_page(_errors.sign_in_expired())
        if not state.check_otp(user, form.get("otp")):
            html = _pages.otp_page(
                action=self._action(transaction),
                tx_id=transaction.id,
                upn=user.upn,
                error="You didn't enter the expected verification code. Please try again.",
            )
            return Page(html=html)
        transaction.pending_upn = None
        transaction.signin = state.make_signin(user, mfa=True)
        app = directory.app(transaction.client_id)
        assert app is not None
        return self._after_signin(transaction, app)

    def _after_signin(self, transaction: Transaction, app: App) -> Page:
        assert transaction.signin is not None
        upn = transaction.signin.upn
        if transaction.kind == "device":
            html = _pages.device_confirm_page(
                action=self._action(transaction), tx_id=transaction.id, upn=upn, app_name=app.name
            )
            return Page(html=html)
        html = _pages.consent_page(
            action=self._action(transaction),
            tx_id=transaction.id,
            upn=upn,
            app_name=app.name,
            permissions=self._describe_scopes(transaction),
        )
        return Page(html=html)

    def _describe_scopes(self, transaction: Transaction) -> list[str]:
        directory = self.state.directory
        lines: list[str] = []
        resource_scopes, oidc = split_scopes(transaction.scope)
        for item in resource_scopes:
            ref = directory.resources.resolve(item, transaction.tenant_segment)
            what = "all permissions the app has been granted" if ref.permission == DEFAULT else ref.permission
            lines.append(f"{ref.resource.name}: {what}")
        lines += [_OIDC_TEXT[s.lower()] for s in oidc if s.lower() in OIDC_SCOPES]
        return lines

    def _record_user_consent(self, transaction: Transaction, app: App, directory: Directory) -> None:
        """Accept on the consent page is user consent, recorded when the user is a member of the tenant.

        A partner (GDAP) user cannot consent in a customer tenant, so nothing is recorded there and the
        redemption answers AADSTS65001 if the customer has not consented.
        """
        signin = transaction.signin
        if signin is None or signin.home_tenant != transaction.tenant_id:
            return
        with self.state.lock:
            consent = directory.consent_for(signin.home_tenant, app.app_id)
            for item in split_scopes(transaction.scope)[0]:
                ref = directory.resources.resolve(item, transaction.tenant_segment)
                if ref.permission != DEFAULT:
                    consent.grant(ref.resource.app_id, [ref.permission])

    def _complete_authorize(self, transaction: Transaction, *, set_session: bool) -> Page:
        state = self.state
        signin = transaction.signin
        assert signin is not None and transaction.tenant_id is not None
        code = state.issue_code(
            AuthCode(
                client_id=transaction.client_id,
                redirect_uri=transaction.redirect_uri,
                scope=transaction.scope,
                tenant_id=transaction.tenant_id,
                signin=signin,
                code_challenge=transaction.code_challenge,
                nonce=transaction.nonce,
                created=state.now(),
            )
        )
        state.end_transaction(transaction.id)
        params = {
            "code": code,
            "client_info": client_info(signin.oid, signin.home_tenant),
            "state": transaction.state,
            "session_state": str(uuid.uuid4()),
        }
        cookies = {SESSION_COOKIE: state.new_session(signin)} if set_session else {}
        return reply(transaction.redirect_uri, params, transaction.response_mode, cookies=cookies)

    # -- /devicelogin ---------------------------------------------------------------------------------------

    def device_login(self, info: RequestInfo, method: str, form: Mapping[str, str]) -> Page:
        if method != "POST":
            return Page(html=_pages.device_code_page())
        if form.get("tx"):
            return self.login_step(info, form)
        state = self.state
        code = form.get("code", "").strip()
        record = state.device_code_by_user_code(code) if code else None
        if record is None or record.status != "pending":
            return Page(html=_pages.device_code_page(code=code, error="That code didn't work. Check the code and try again."))
        if record.expires_at <= state.now():
            error = "The code you entered has expired. Get a new code from the device you're trying to sign in to and try again."
            return Page(html=_pages.device_code_page(code=code, error=error))
        info.client_id, info.tenant = record.client_id, record.tenant_id or record.tenant_segment
        directory = state.directory
        app = directory.app(record.client_id)
        if app is None:
            return self._error_page(_errors.app_not_found(record.client_id, record.tenant_segment))
        transaction = state.new_transaction(
            kind="device",
            client_id=record.client_id,
            tenant_id=record.tenant_id,
            tenant_segment=record.tenant_segment,
            user_code=record.user_code,
            scope=record.scope,
        )
        tenant = directory.tenant(record.tenant_id) if record.tenant_id else None
        html = _pages.signin_page(
            action=self._action(transaction),
            tx_id=transaction.id,
            app_name=app.name,
            tenant_name=tenant.name if tenant else None,
        )
        return Page(html=html)

    def _device_confirm(self, transaction: Transaction, app: App, accepted: bool) -> Page:
        state = self.state
        signin = transaction.signin
        assert signin is not None and transaction.tenant_id is not None
        state.end_transaction(transaction.id)
        record = state.device_code_by_user_code(transaction.user_code)
        if record is None or record.status != "pending" or record.expires_at <= state.now():
            error = "The code you entered has expired. Get a new code from the device you're trying to sign in to and try again."
            return Page(html=_pages.device_code_page(error=error))
        if accepted:
            state.approve_device_code(record, signin, transaction.tenant_id)
        else:
            state.decline_device_code(record)
        html = _pages.device_done_page(app_name=app.name, upn=signin.upn, approved=accepted)
        cookies = {SESSION_COOKIE: state.new_session(signin)} if accepted else {}
        return Page(html=html, cookies=cookies)

    # -- logout -----------------------------------------------------------------------------------------------

    def logout(self, args: Mapping[str, str], cookies: Mapping[str, str]) -> Page:
        sid = cookies.get(SESSION_COOKIE)
        if sid:
            with self.state.lock:
                self.state.sessions.pop(sid, None)
        target = args.get("post_logout_redirect_uri")
        if target and urlsplit(target).scheme in ("http", "https"):
            return Page(location=target, cookies={SESSION_COOKIE: None})
        return Page(html=_pages.signed_out_page(), cookies={SESSION_COOKIE: None})

    @staticmethod
    def _action(transaction: Transaction) -> str:
        return "/devicelogin" if transaction.kind == "device" else f"/{transaction.tenant_segment}/login"


def approve_as_user(
    state: EmulatorState, user_code: str, username: str, password: str, otp: str | None
) -> dict[str, Any]:
    """The control API's device-code approval: the same checks as the pages, without a browser."""
    record = state.pending_device_code(user_code)
    directory = state.directory
    app = directory.app(record.client_id)
    if app is None:
        raise SignInError("app_not_found", _errors.app_not_found(record.client_id, record.tenant_segment))
    tenant = directory.tenant(record.tenant_id) if record.tenant_id else None
    user = state.check_password(username, password, tenant)
    target = tenant or directory.tenant(user.tenant)
    assert target is not None
    if not directory.app_visible_in(app, target):
        raise SignInError("app_not_found", _errors.app_not_found(app.app_id, target.name))
    state.check_tenant_access(user, target, app)
    mfa = False
    if otp:
        if not user.mfa:
            raise SignInError(
                "mfa_not_registered",
                AadError("invalid_grant", 500121, f"User {user.upn} has no authenticator registered."),
            )
        if not state.check_otp(user, otp):
            raise SignInError(
                "invalid_otp",
                AadError("invalid_grant", 500121, "Authentication failed during strong authentication request."),
            )
        mfa = True
    signin = state.make_signin(user, mfa=mfa)
    state.approve_device_code(record, signin, target.id)
    return {"user_code": record.user_code, "status": "approved", "upn": user.upn, "tenant": target.id, "amr": list(signin.amr)}
