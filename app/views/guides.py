"""“Hướng dẫn sử dụng”: the user guides, public (reachable from the sign-in page without signing in)."""
from __future__ import annotations

from flask import abort
from flask_appbuilder import BaseView, expose

from app.guides import GUIDE_BY_SLUG, GUIDES, shot_exists


class GuidesView(BaseView):
    """No ``has_access``: everybody, signed in or not, reads the guides (they hold no data)."""

    route_base = "/guides"
    default_view = "index"

    @expose("/")
    def index(self):
        return self.render_template("guides/index.html", guides=GUIDES)

    @expose("/<slug>")
    def guide(self, slug):
        guide = GUIDE_BY_SLUG.get(slug)
        if guide is None:
            abort(404)
        return self.render_template("guides/guide.html", guide=guide, guides=GUIDES, shot_exists=shot_exists)
