"""The public verification page of printed certificates (no sign-in): whoever holds the paper
types its code and sees whether the register issued it."""

from flask import current_app, make_response, redirect, request, url_for
from flask_appbuilder import BaseView, expose

from app import offices
from app.extensions import db
from app.register import verification
from models import Period
from models.certificates import Certificate


class VerifyView(BaseView):
    """Public (no sign-in) check of a certificate's verification code. It shows only what
    confirms the paper: valid or not, the issuing office, letter number, issue date, period,
    region, the head's initials and the document fingerprint — never a NIK or a full name. Rate
    limited per client address."""

    route_base = "/verify"
    default_view = "form"

    @expose("/")
    def form(self):
        typed = (request.args.get("code") or "").strip()
        if typed:
            code = verification.normalise(typed)
            return redirect(
                url_for("VerifyView.verify", code=verification.display(code) if code else "-")
            )
        return self._page(None, asked=False)

    @expose("/<code>")
    def verify(self, code):
        return self._page(verification.lookup(code), asked=True)

    def _page(self, certificate: Certificate | None, asked: bool):
        context = {"asked": asked, "certificate": None}
        if certificate is not None:
            from reports.certificates import region_names

            period = db.session.get(Period, certificate.period_id)
            context.update(
                certificate=certificate,
                code=verification.display(certificate.code),
                period=period,
                regions=region_names(certificate.village_code),
                fingerprint=verification.fingerprint(certificate.content_hash),
                issuer=_issuer_name(certificate),
            )
        status = 200 if certificate is not None or not asked else 404
        response = make_response(self.render_template("datakesos/verify.html", **context), status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex"
        return response


def _issuer_name(certificate: Certificate) -> str:
    """The office that issued it ("Dinas Sosial Kota Bandung"), as on the letter; for a
    certificate printed before offices were kept with it, its regency's office now."""
    stored = (certificate.issuer or {}).get("name")
    return stored or offices.letterhead_for(certificate.village_code).name


def register_verify_view(appbuilder) -> None:
    view = appbuilder.add_view_no_menu(VerifyView)
    limiter = getattr(appbuilder.sm, "limiter", None)
    if limiter is not None and view.blueprint is not None:
        limiter.limit(
            lambda: current_app.config.get("VERIFY_RATE_LIMIT", "30 per minute"), scope="verify"
        )(view.blueprint)
