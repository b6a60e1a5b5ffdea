"""APEX: a race-engineering notebook for RC racers."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Flask is imported in create_app: apex.pdf_worker's child needs none
    from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, the store, blueprints, error handlers."""
    # NOTE: imported here so that `import apex.catalogue` (CLI tools, stores,
    # tests) does not pull in Flask extensions.
    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    from apex import accounts, assets, auth_setup, config, db, errors, headers
    from apex.blueprints import (
        advisor,
        analysis,
        auth,
        event,
        garage,
        health,
        library,
        offline,
        race,
    )
    from apex.blueprints.theory import bp as theory_bp
    from apex.catalogue import label_codes
    from apex.extensions import compress, csrf, limiter
    from apex.htmx import add_vary
    from apex.lap_input import format_lap
    from apex.templating import AppEnvironment, clock, csrf_token, fixed_url, url_maker
    from apex.transfer import commands as transfer_commands

    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    app.jinja_environment = AppEnvironment  # before anything builds app.jinja_env
    app.config.from_mapping(config.load(app.instance_path, test_config, debug=app.debug))
    if proxies := app.config["APEX_TRUSTED_PROXIES"]:
        # The client's address and scheme come from the proxies' X-Forwarded-* headers:
        # the login rate limit must count racers, not the proxy.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    csrf.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    auth_setup.init_app(app)
    assets.init_app(app)
    db.init_app(app)
    app.cli.add_command(db.cli(transfer_commands.COMMANDS))
    app.cli.add_command(accounts.user_cli)

    app.register_blueprint(auth.bp)
    app.register_blueprint(garage.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(library.bp)
    app.register_blueprint(event.bp)
    app.register_blueprint(advisor.bp)
    app.register_blueprint(race.bp)
    app.register_blueprint(analysis.bp)
    app.register_blueprint(theory_bp)
    offline.init_app(app)
    app.add_url_rule("/", endpoint="index", view_func=garage.index)
    # Over flask_wtf's global and context processor: the token asked for once a request.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
    app.jinja_env.globals["url_maker"] = url_maker
    app.jinja_env.globals["fixed_url"] = fixed_url
    app.jinja_env.globals["new_request_key"] = lambda: str(uuid.uuid4())
    # The run id in race/show.html's offline-run forms, until outbox.js names the real one.
    app.jinja_env.globals["OFFLINE_RUN_ID"] = "00000000-0000-0000-0000-000000000000"
    app.jinja_env.filters["lap"] = format_lap
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.filters["labelled"] = label_codes
    errors.init_app(app)
    app.after_request(add_vary)
    headers.init_app(app)
    db.init_request_transaction(app)  # last: its commit runs before the hooks above
    return app


def compile_templates(app: Flask) -> int:
    """Compile every template into the app's Jinja cache now (at a worker's boot), so no
    racer's first page of a kind pays for it; how many. Kept while templates are not
    auto-reloaded (production)."""
    env = app.jinja_env
    names = env.list_templates(extensions=["html"])
    for name in names:
        env.get_template(name)
    return len(names)
